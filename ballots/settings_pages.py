"""What the ballot forms need around the services: the form read into a body, a refusal turned into messages
beside the fields, and each form's context (new ballot, a draft's settings, a group of district ballots)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal, can_moderate
from ballots.forms import ballot_from_form, digits
from ballots.groups.models import BallotGroup
from ballots.groups.service import frozen_refusal, view_group
from ballots.models import Ballot
from ballots.schemas import BallotUpdate
from ballots.service import BallotView, accepted_proposals, list_ballots
from ballots.settings_form import (
    BLANK_ROWS,
    KINDS,
    GroupRow,
    Placed,
    constraints_from_rows,
    place_reasons,
    rows_from_constraints,
    rows_from_form,
    validation_reasons,
)
from ballots.tally_rules import DEFAULT_TIE_BREAK_TEXT, RULE_NAMES, THRESHOLD_RULES
from voting.city import list_neighbourhoods
from voting.domain import DomainError
from voting.i18n import current_language
from voting.i18n import gettext as _
from voting.presentation import current_style
from voting.proposals.views import form_choices
from voting.results.wording import describe_rule

__all__ = ["FormProblems", "ProjectChoice", "Refusal", "ballot_fields", "draft_fields", "edit_context",
           "group_context", "group_edit_context", "group_fields", "new_context", "refusal_of", "typed_moments",
           "updated_fields"]


class FormProblems(DomainError):
    """What the form itself could not read (a share that is not a number): 422, each beside its field."""

    status_code = 422

    def __init__(self, placed: Sequence[Placed]) -> None:
        super().__init__(_("Check the form."))
        self.placed = list(placed)


@dataclass(frozen=True)
class ProjectChoice:
    id: int
    title: str
    cost: int


@dataclass(frozen=True)
class Refusal:
    """A refused save as the form shows it: the message on top, every reason listed and beside its field."""

    status_code: int
    message: str
    placed: list[Placed]


def _labels() -> dict[str, str]:
    return {"title": _("Title"), "description": _("Description"), "budget": _("Budget"),
            "min_projects": _("Minimum number of projects"), "max_projects": _("Maximum number of projects"),
            "min_spend_percent": _("Minimum share of the budget to spend, in per cent"),
            "total_points": _("Points per voter"), "max_points_per_project": _("Maximum points per project"),
            "max_ranks": _("Number of ranks"), "min_age": _("Minimum age at the close"),
            "min_project_score": _("Minimum score (votes, or points on a cumulative ballot)"),
            "min_voter_share": _("Minimum share of voters who support it, in per cent"),
            "opens_at": _("Opens at"), "closes_at": _("Closes at"), "incompatible": _("Incompatible projects"),
            "min_shares": _("Minimum shares of the budget"), "max_shares": _("Maximum shares of the budget"),
            "sub_budgets": _("Sub-budgets"), "extra_districts": _("Other districts"), "ballot_ids": _("Ballots")}


def refusal_of(error: Exception) -> Refusal:
    """The messages of a refused save: pydantic's in the reader's language, the services' beside their fields."""
    if isinstance(error, FormProblems):
        return Refusal(422, error.message, error.placed)
    if isinstance(error, ValidationError):
        return Refusal(422, _("Check the form."), validation_reasons(error.errors(), _labels()))
    if isinstance(error, DomainError):
        if getattr(error, "reasons", None):
            return Refusal(error.status_code, error.message, place_reasons(error.reasons))  # type: ignore[attr-defined]
        extra = [item for item in error.extra or [] if isinstance(item, Mapping)]
        return Refusal(error.status_code, error.message, [Placed(str(item.get("key") or ""), str(item["message"]))
                                                          for item in extra if "message" in item])
    return Refusal(422, _("Check the form."), [])


def _form_rows(form: Any) -> tuple[dict[str, list[GroupRow]], dict[str, Any] | None, list[Placed]]:
    rows = {kind: rows_from_form(form, kind) for kind in KINDS}
    constraints, problems = constraints_from_rows(rows)
    return rows, constraints, problems


def ballot_fields(form: Any) -> tuple[dict[str, Any], dict[str, list[GroupRow]]]:
    """The new-ballot form as the fields of :class:`BallotCreate` and its constraint rows; raises
    :class:`FormProblems` for what cannot be read."""
    rows, constraints, problems = _form_rows(form)
    fields = {**ballot_from_form(form), "constraints": constraints}
    if problems:
        raise FormProblems(problems)
    return fields, rows


def draft_fields(form: Any) -> tuple[dict[str, Any], dict[str, list[GroupRow]]]:
    """The settings form of a draft as the fields of :class:`BallotUpdate` (its shortlist is edited apart)."""
    rows, constraints, problems = _form_rows(form)
    fields = {name: value for name, value in ballot_from_form(form).items()
              if name not in ("neighbourhood_id", "proposal_ids")}
    fields["constraints"] = constraints
    if problems:
        raise FormProblems(problems)
    return fields, rows


def _shown_as(typed: Any, stored: datetime) -> bool:
    """Whether a moment the form sent is the stored one as the form showed it (to the minute): left unchanged."""
    return isinstance(typed, datetime) and typed == stored.replace(second=0, microsecond=0)


def updated_fields(data: BallotUpdate, ballot: Ballot) -> BallotUpdate:
    """Only what the form changes (so that the audit entry names only those settings). The form shows opening
    and closing to the minute: one sent back as shown keeps its stored seconds."""
    values = data.model_dump()
    return BallotUpdate(**{name: value for name, value in values.items() if getattr(ballot, name) != value and not (
        name in ("opens_at", "closes_at") and _shown_as(value, getattr(ballot, name)))})


def typed_moments(ballot: Ballot) -> dict[str, str]:
    """The ballot's opening and closing as the form's fields show them: the city's local time."""
    zone = ZoneInfo(current_style().time_zone)
    return {name: getattr(ballot, name).astimezone(zone).strftime("%Y-%m-%dT%H:%M")
            for name in ("opens_at", "closes_at")}


def _common(rows: Mapping[str, list[GroupRow]], refusal: Refusal | None) -> dict[str, Any]:
    beside: dict[str, list[str]] = {}
    for item in refusal.placed if refusal else ():
        if item.field:
            beside.setdefault(item.field, []).append(item.message)
    filled = any(rows.get(kind) for kind in KINDS) or any(key.split("-")[0] in KINDS for key in beside)
    return {"rules": RULE_NAMES, "rule_texts": {rule: describe_rule(rule) for rule in RULE_NAMES},
            "default_tie_break": DEFAULT_TIE_BREAK_TEXT, "threshold_rules": THRESHOLD_RULES,
            "rows": {kind: [*rows.get(kind, []), *(GroupRow() for _ in range(BLANK_ROWS))] for kind in KINDS},
            "constraints_open": filled, "beside": beside,
            "error": refusal.message if refusal else None,
            "reasons": [{"message": item.message} for item in refusal.placed] if refusal else []}


async def _targets(session: AsyncSession) -> dict[str, Any]:
    """What a group may name instead of projects: every current category and neighbourhood."""
    language = current_language()
    targets = {"category": [(f"category:{c.slug}", c.name(language)) for c in (await form_choices(session)).categories],
               "neighbourhood": [(f"neighbourhood:{h.slug}", h.name(language))
                                 for h in await list_neighbourhoods(session)]}
    return {"targets": targets, "target_values": {value for pairs in targets.values() for value, _ in pairs}}


async def new_context(session: AsyncSession, fields: Mapping[str, Any], rows: Mapping[str, list[GroupRow]] | None
                      = None, refusal: Refusal | None = None, typed: Mapping[str, str] | None = None) -> dict[str,
                                                                                                         Any]:
    proposals = await accepted_proposals(session)
    return {**_common(rows or {}, refusal), "neighbourhoods": await list_neighbourhoods(session),
            "proposals": proposals, "fields": fields, "typed": typed, **await _targets(session),
            "project_choices": [ProjectChoice(p.id or 0, p.title, p.validated_cost or 0) for p in proposals]}


async def edit_context(session: AsyncSession, view: BallotView, fields: Mapping[str, Any] | None = None,
                       rows: Mapping[str, list[GroupRow]] | None = None, refusal: Refusal | None = None,
                       typed: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings form of a draft: as stored, or as typed when a save was refused."""
    ballot = view.ballot
    if fields is None:
        fields = {name: getattr(ballot, name) for name in BallotUpdate.model_fields if name != "constraints"}
        rows, typed = rows_from_constraints(ballot.constraints), typed_moments(ballot)
    return {**_common(rows or {}, refusal), "view": view, "fields": fields, "typed": typed, **await _targets(session),
            "project_choices": [ProjectChoice(p.proposal_id, p.title, p.cost) for p in view.projects]}


def group_fields(form: Any) -> dict[str, Any]:
    """The group form as the fields of :class:`ballots.groups.schemas.GroupCreate` (validated by pydantic)."""
    city = str(form.get("city_ballot_id") or "").strip()
    extra = str(form.get("extra_districts") or "").strip()
    return {"title": str(form.get("title") or ""),
            "ballot_ids": [int(v) for v in form.getall("ballot_ids", []) if digits(str(v))],
            "city_ballot_id": int(city) if digits(city) else None,
            "extra_districts": int(extra) if digits(extra) else extra}


async def group_context(session: AsyncSession, principal: Principal | None, fields: Mapping[str, Any],
                        refusal: Refusal | None = None, group: BallotGroup | None = None,
                        frozen: bool = False) -> dict[str, Any]:
    """Draft ballots the moderator manages that belong to no group yet (or to ``group``, being changed), to choose
    from; ``frozen`` when ``group`` can no longer change (the form is not shown)."""
    mine = group.id if group is not None else None
    drafts = [b for b in await list_ballots(session, principal)
              if b.status == "draft" and b.group_id in (None, mine) and can_moderate(principal, b.neighbourhood_id)]
    hoods = {hood.id: hood.name(current_language()) for hood in await list_neighbourhoods(session)}
    return {**_common({}, refusal), "drafts": drafts, "hood_names": hoods, "fields": fields, "group": group,
            "frozen": frozen}


async def group_edit_context(session: AsyncSession, principal: Principal, group_id: int,
                             fields: Mapping[str, Any] | None = None, refusal: Refusal | None = None) -> dict[str, Any]:
    """A group's form: as stored, or as typed when a save was refused; when one of its ballots is no longer a
    draft, that refusal (409, whatever else the save got wrong: the form is not shown) and no form."""
    group, ballots = await view_group(session, principal, group_id)
    stopped = frozen_refusal(ballots, group_id)
    if fields is None:
        fields = {"title": group.title, "ballot_ids": [b.id for b in ballots if b.neighbourhood_id is not None],
                  "city_ballot_id": next((b.id for b in ballots if b.neighbourhood_id is None), None),
                  "extra_districts": group.extra_districts}
    if stopped is not None:
        refusal = Refusal(409, stopped.message, [])
    context = await group_context(session, principal, fields, refusal, group, frozen=stopped is not None)
    return {**context, "members": ballots, "status": refusal.status_code if refusal else 200}
