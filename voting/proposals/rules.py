"""Validation of proposal fields and review decisions: every reason at once, before anything is stored."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from voting.i18n import gettext as _

__all__ = ["MAX_COST", "LIMITS", "Problem", "ProposalFields", "ReviewDecision", "check_proposal", "check_review",
           "missing_for_review", "parse_whole_number", "parse_coordinate", "read_fields"]

MAX_COST = 10_000_000
LIMITS = {"title": 160, "summary": 500, "description": 10_000, "address": 300, "community": 200, "message": 2_000}


class Problem(str):
    """A reason as a sentence that also knows the form field it is about (``""``: the proposal as a whole)."""

    field: str

    def __new__(cls, message: str, field: str = "") -> Problem:
        made = super().__new__(cls, message)
        made.field = field
        return made


@dataclass(frozen=True)
class ProposalFields:
    """What a proposer writes; text already stripped, numbers already parsed (``None`` when missing)."""

    title: str
    summary: str
    description: str
    category: str
    neighbourhood_id: int | None
    estimated_cost: int | None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    community: str | None = None


@dataclass(frozen=True)
class ReviewDecision:
    action: str
    message: str = ""
    validated_cost: int | None = None


def parse_whole_number(value: Any) -> int | None:
    """An integer from a form or JSON value; ``None`` for blank; ``ValueError`` for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if not text.lstrip("-").isdigit():
        raise ValueError(value)
    return int(text)


def parse_coordinate(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = float(str(value).strip().replace(",", "."))
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(value)
    return number


def _required(name: str, label: str) -> Problem:
    return Problem(_("{field} is required.").format(field=label), name)


def _cost_problem(cost: int | None, ceiling: int, label: str, required: bool = True) -> str | None:
    if cost is None:
        return _("{field} is required.").format(field=label) if required else None
    if cost <= 0:
        return _("{field} must be a positive number of euros.").format(field=label)
    if cost > ceiling:
        return _("{field} cannot be more than {ceiling} euros.").format(field=label, ceiling=ceiling)
    return None


def _length(value: str | None, name: str, label: str, required: bool) -> str | None:
    if required and not (value or "").strip():
        return _("{field} is required.").format(field=label)
    if value and len(value) > LIMITS[name]:
        return _("{field} is too long (at most {limit} characters).").format(field=label, limit=LIMITS[name])
    return None


def missing_for_review(fields: ProposalFields) -> list[Problem]:
    """What a draft still lacks before it can be submitted for review (a draft needs only its title)."""
    problems = []
    if not fields.title.strip():
        problems.append(_required("title", _("Title")))
    if not fields.summary.strip():
        problems.append(_required("summary", _("Summary")))
    if not fields.category:
        problems.append(_required("category", _("Category")))
    if fields.neighbourhood_id is None:
        problems.append(_required("neighbourhood_id", _("Neighbourhood")))
    if fields.estimated_cost is None:
        problems.append(_required("estimated_cost", _("Estimated cost")))
    return problems


def check_proposal(fields: ProposalFields, *, categories: Collection[str], neighbourhoods: Collection[int],
                   ceiling: int = MAX_COST, draft: bool = False) -> list[Problem]:
    """Every reason ``fields`` cannot be stored (empty when they can); a ``draft`` needs only a title."""
    problems: list[Problem] = [problem for problem in missing_for_review(fields)
                               if not draft or problem.field == "title"]
    lengths = (("title", _("Title")), ("summary", _("Summary")), ("description", _("Description")),
               ("address", _("Address")), ("community", _("Community or association")))
    for name, label in lengths:
        too_long = _length(getattr(fields, name), name, label, False)
        if too_long:
            problems.append(Problem(too_long, name))
    if fields.estimated_cost is not None:
        cost = _cost_problem(fields.estimated_cost, ceiling, _("Estimated cost"))
        if cost:
            problems.append(Problem(cost, "estimated_cost"))
    if fields.category and fields.category not in categories:
        problems.append(Problem(_("Unknown category {value}.").format(value=fields.category), "category"))
    if fields.neighbourhood_id is not None and fields.neighbourhood_id not in neighbourhoods:
        problems.append(Problem(_("Unknown neighbourhood {value}.").format(value=fields.neighbourhood_id),
                                "neighbourhood_id"))
    if (fields.latitude is None) != (fields.longitude is None):
        problems.append(Problem(_("Give both latitude and longitude, or neither."), "latitude"))
    if fields.latitude is not None and not -90 <= fields.latitude <= 90:
        problems.append(Problem(_("Latitude must be between -90 and 90."), "latitude"))
    if fields.longitude is not None and not -180 <= fields.longitude <= 180:
        problems.append(Problem(_("Longitude must be between -180 and 180."), "longitude"))
    return problems


def check_review(decision: ReviewDecision, *, ceiling: int = MAX_COST) -> list[str]:
    """Accepting needs a validated cost and a feasibility note; rejecting or asking changes needs a message."""
    problems: list[str | None] = []
    if decision.action == "accept":
        problems.append(_cost_problem(decision.validated_cost, ceiling, _("Validated cost")))
        problems.append(_length(decision.message, "message", _("Feasibility note"), True))
    elif decision.action == "reject":
        problems.append(_length(decision.message, "message", _("Reason for rejection"), True))
    elif decision.action == "request_changes":
        problems.append(_length(decision.message, "message", _("Requested changes"), True))
    return [problem for problem in problems if problem]


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def read_fields(raw: Mapping[str, Any]) -> tuple[ProposalFields, list[Problem]]:
    """Parse a form or JSON mapping into fields, with the problems of numbers that are not numbers."""
    problems: list[Problem] = []

    def number(name: str, label: str) -> int | None:
        try:
            return parse_whole_number(raw.get(name))
        except ValueError:
            problems.append(Problem(_("{field} must be a whole number.").format(field=label), name))
            return None

    def coordinate(name: str, label: str) -> float | None:
        try:
            return parse_coordinate(raw.get(name))
        except (TypeError, ValueError):
            problems.append(Problem(_("{field} must be a number.").format(field=label), name))
            return None

    fields = ProposalFields(
        title=_text(raw, "title"), summary=_text(raw, "summary"), description=_text(raw, "description"),
        category=_text(raw, "category"), neighbourhood_id=number("neighbourhood_id", _("Neighbourhood")),
        estimated_cost=number("estimated_cost", _("Estimated cost")),
        address=_text(raw, "address") or None, latitude=coordinate("latitude", _("Latitude")),
        longitude=coordinate("longitude", _("Longitude")), community=_text(raw, "community") or None,
    )
    return fields, problems
