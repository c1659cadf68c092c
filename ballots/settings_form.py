"""Pure: the constraint rows of the ballot form (incompatible groups, quotas, sub-budgets) read and written back,
and every refusal placed beside the field it is about, in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ballots.constraints import KINDS
from ballots.formats import Reason
from ballots.forms import digits
from voting.i18n import gettext as _
from voting.presentation import colon

__all__ = ["BLANK_ROWS", "GroupRow", "KINDS", "Placed", "constraints_from_rows", "place_reasons",
           "rows_from_constraints", "rows_from_form", "validation_reasons"]

BLANK_ROWS = 2
"""Empty rows offered under each kind of group (the form works without JavaScript)."""

CODE_FIELDS = {
    "threshold.score": "min_project_score", "threshold.share": "min_voter_share", "threshold.rule": "rule",
    "rule.unknown": "rule", "rule.format": "rule", "rule.tie_break": "tie_break", "constraints.rule": "rule",
    "format.unknown": "vote_format", "format.bounds": "max_projects", "format.share": "min_spend_percent",
    "format.points": "total_points", "format.ranks": "max_ranks", "format.empty": "proposal_ids",
    "proposal.not_accepted": "proposal_ids", "proposal.neighbourhood": "proposal_ids", "ballot.window": "closes_at",
    "constraints.sub_budgets": "sub_budgets", "constraints.min_total": "min_shares", "group.extra": "extra_districts",
    "group.size": "ballot_ids", "group.district": "ballot_ids", "group.residence": "ballot_ids",
    "group.status": "ballot_ids", "group.taken": "ballot_ids", "group.unknown": "ballot_ids",
    "group.city": "city_ballot_id",
}
"""The form field each refusal code is about (a group's own refusals name their row themselves)."""


@dataclass(frozen=True)
class Placed:
    """A refusal and the form field it goes beside ("" when it is about the whole form)."""

    field: str
    message: str


@dataclass
class GroupRow:
    """One group as the form shows it: projects chosen, or a category or neighbourhood (``target``)."""

    name: str = ""
    projects: list[int] = field(default_factory=list)
    target: str = ""
    """``category:<slug>`` or ``neighbourhood:<slug>``; empty when the group names its projects."""
    value: str = ""
    """The percentage of the budget (quotas) or the amount (sub-budgets), as typed."""

    def is_empty(self) -> bool:
        return not (self.name or self.projects or self.target or self.value)


def rows_from_form(form: Any, kind: str) -> list[GroupRow]:
    """The filled rows of one kind (``<kind>-<n>-name``, ``-projects``, ``-target``, ``-value``), in order."""
    numbers = sorted({int(key.split("-")[1]) for key in form.keys()
                      if key.startswith(kind + "-") and key.count("-") == 2 and digits(key.split("-")[1])})
    rows = []
    for n in numbers:
        row = GroupRow(name=str(form.get(f"{kind}-{n}-name") or "").strip(),
                       projects=[int(v) for v in form.getall(f"{kind}-{n}-projects", []) if digits(str(v))],
                       target=str(form.get(f"{kind}-{n}-target") or "").strip(),
                       value=str(form.get(f"{kind}-{n}-value") or "").strip())
        if not row.is_empty():
            rows.append(row)
    return rows


def _number(text: str, whole: bool) -> float | int | None:
    cleaned = "".join(text.split()).replace("\u202f", "").replace(",", ".")
    try:
        return int(cleaned) if whole else float(cleaned)
    except ValueError:
        return None


def constraints_from_rows(rows: Mapping[str, Sequence[GroupRow]]) -> tuple[dict[str, Any] | None, list[Placed]]:
    """The ``constraints`` of :class:`ballots.schemas.BallotCreate` (None when no row is filled), and what cannot
    be read: a share or amount that is not a number, a group naming both projects and a category."""
    data: dict[str, Any] = {}
    problems: list[Placed] = []
    for kind in KINDS:
        groups = []
        for n, row in enumerate(rows.get(kind, ())):
            group: dict[str, Any] = {"name": row.name, "projects": list(row.projects)}
            selector, _sep, slug = row.target.partition(":")
            if selector in ("category", "neighbourhood") and slug:
                group[selector] = slug
                if row.projects:
                    problems.append(Placed(f"{kind}-{n}", _("Choose either projects or a category or "
                                                            "neighbourhood for this group, not both.")))
            if kind != "incompatible":
                key = "amount" if kind == "sub_budgets" else "percent"
                number = _number(row.value, whole=kind == "sub_budgets")
                if number is None:
                    problems.append(Placed(f"{kind}-{n}-value", _("Enter a whole amount.") if key == "amount"
                                           else _("Enter a percentage between 0 and 100.")))
                group[key] = number
            groups.append(group)
        if groups:
            data[kind] = groups
    return data or None, problems


def rows_from_constraints(stored: Mapping[str, Any] | None) -> dict[str, list[GroupRow]]:
    """A ballot's stored constraints as form rows (a group by category or neighbourhood shows only that)."""
    rows: dict[str, list[GroupRow]] = {kind: [] for kind in KINDS}
    for kind in KINDS:
        for group in (stored or {}).get(kind) or ():
            target = (f"category:{group['category']}" if group.get("category") else
                      f"neighbourhood:{group['neighbourhood']}" if group.get("neighbourhood") else "")
            value = group.get("amount") if kind == "sub_budgets" else group.get("percent")
            shown = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
            rows[kind].append(GroupRow(name=str(group.get("name") or ""), target=target, value=shown,
                                       projects=[] if target else [int(p) for p in group.get("projects") or ()]))
    return rows


def place_reasons(reasons: Iterable[Reason]) -> list[Placed]:
    """Each refusal of the ballot services beside its field (a group's row, a setting), else for the whole form."""
    return [Placed(getattr(reason, "field", "") or CODE_FIELDS.get(reason.code, ""), reason.message)
            for reason in reasons]


def _message(error_type: str) -> str:
    if error_type in ("int_parsing", "int_type", "int_from_float", "float_parsing", "float_type"):
        return _("Enter a number.")
    if error_type.startswith(("greater_than", "less_than")):
        return _("This number is out of range.")
    if error_type.startswith(("datetime", "date", "time")):
        return _("Enter a date and time.")
    if error_type in ("string_too_short", "missing"):
        return _("This field is required.")
    if error_type in ("string_too_long", "too_long"):
        return _("This is too long.")
    return _("This value is not accepted.")


def validation_reasons(errors: Iterable[Mapping[str, Any]], labels: Mapping[str, str]) -> list[Placed]:
    """Pydantic's errors of the form's body, each in the reader's language beside its field (a group's errors
    beside its row), prefixed with the field's label for the list at the top."""
    placed = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        name = loc[0] if loc else ""
        if name == "constraints" and len(loc) >= 3:
            name = f"{loc[1]}-{loc[2]}"
        label = labels.get(name.split("-")[0] if "-" in name else name, name)
        placed.append(Placed(name, f"{label}{colon()} {_message(str(error.get('type', '')))}"))
    return placed
