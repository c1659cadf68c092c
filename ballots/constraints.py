"""Pure: a ballot's tally constraints (incompatible projects, quotas, caps, sub-budgets), checked and resolved.

A group names its projects directly (``projects``: proposal ids on the ballot) or by ``category`` (a proposal
category slug) or ``neighbourhood`` (a neighbourhood slug); those are resolved to the ballot's projects when the
ballot is saved and again when it opens (the shortlist may change in between). The stored form keeps the
selector and adds ``projects``, which is what the tally reads (:func:`voting.tally.constraints.from_json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, Field

from ballots.formats import Reason
from voting.i18n import gettext as _

__all__ = ["ConstraintGroup", "GroupReason", "KINDS", "ProjectFacts", "TallyConstraints", "resolve_constraints"]

KINDS = ("incompatible", "min_shares", "max_shares", "sub_budgets")


class ConstraintGroup(BaseModel):
    """One group: its projects (or a category or neighbourhood slug) and its limit."""

    name: str = Field(default="", max_length=120)
    projects: list[int] = Field(default_factory=list, max_length=500)
    category: str | None = Field(default=None, max_length=64)
    neighbourhood: str | None = Field(default=None, max_length=64)
    percent: float | None = None
    """Minimum or maximum shares: a percentage of the ballot's budget."""
    amount: int | None = None
    """Sub-budgets: the money this group may spend."""


class TallyConstraints(BaseModel):
    """What the published result must honour (see docs/tally.md)."""

    incompatible: list[ConstraintGroup] = Field(default_factory=list, max_length=100)
    min_shares: list[ConstraintGroup] = Field(default_factory=list, max_length=50)
    max_shares: list[ConstraintGroup] = Field(default_factory=list, max_length=50)
    sub_budgets: list[ConstraintGroup] = Field(default_factory=list, max_length=50)


@dataclass(frozen=True)
class GroupReason(Reason):
    """A refusal about one group; ``field`` names it as the ballot form does (``incompatible-0``)."""

    field: str = ""


@dataclass(frozen=True)
class ProjectFacts:
    """What a group may select a ballot's project by."""

    category: str | None
    neighbourhood: str | None


def _members(entry: dict[str, Any], projects: Mapping[int, ProjectFacts], label: str) -> tuple[list[int],
                                                                                                list[Reason]]:
    if entry.get("category") and entry.get("neighbourhood"):
        return [], [Reason("constraints.selector", _("The group {name} names both a category and a "
                                                     "neighbourhood; name one.").format(name=label))]
    if entry.get("category"):
        return sorted(p for p, f in projects.items() if f.category == entry["category"]), []
    if entry.get("neighbourhood"):
        return sorted(p for p, f in projects.items() if f.neighbourhood == entry["neighbourhood"]), []
    wanted = list(dict.fromkeys(int(p) for p in entry.get("projects") or ()))
    unknown = [p for p in wanted if p not in projects]
    if unknown:
        return wanted, [Reason("constraints.project", _("Project {id} of the group {name} is not on this "
                                                        "ballot.").format(id=unknown[0], name=label))]
    return wanted, []


SINGLE_WINNER_RULES = ("irv", "plurality")


def resolve_constraints(data: Mapping[str, Any] | None, projects: Mapping[int, ProjectFacts], budget: int,
                        rule: str | None = None) -> tuple[dict[str, Any] | None, list[Reason]]:
    """The stored form of ``data`` (each group's projects resolved) and every refusal; None when empty."""
    if not data or not any(data.get(kind) for kind in KINDS):
        return None, []
    reasons: list[Reason] = []
    if rule in SINGLE_WINNER_RULES:
        reasons.append(Reason("constraints.rule", _("The rule {name} elects one winner: constraints need a "
                                                    "budgeting rule.").format(name=rule)))
    stored: dict[str, Any] = {}
    for kind in KINDS:
        out = []
        for n, raw in enumerate(data.get(kind) or (), start=1):
            entry = {k: v for k, v in dict(raw).items() if v not in (None, "", [])}
            label = entry.get("name") or entry.get("category") or entry.get("neighbourhood") or f"{kind} {n}"
            members, found = _members(entry, projects, label)
            refused = found + _group_limits(kind, entry, members, label, budget, bool(found))
            reasons += [GroupReason(reason.code, reason.message, f"{kind}-{n - 1}") for reason in refused]
            out.append({**entry, "name": label, "projects": members})
        if out:
            stored[kind] = out
    reasons += _totals(stored, budget)
    return stored, reasons


def _group_limits(kind: str, entry: dict[str, Any], members: list[int], label: str, budget: int,
                  refused: bool) -> list[Reason]:
    reasons: list[Reason] = []
    if not refused and not members:
        reasons.append(Reason("constraints.empty", _("The group {name} names no project of this "
                                                     "ballot.").format(name=label)))
    if kind == "incompatible" and 0 < len(members) < 2:
        reasons.append(Reason("constraints.incompatible", _("The incompatible group {name} needs at "
                                                            "least two projects.").format(name=label)))
    if kind in ("min_shares", "max_shares") and not 0 <= float(entry.get("percent", -1)) <= 100:
        reasons.append(Reason("constraints.percent", _("The share of the group {name} must be between 0 "
                                                       "and 100%.").format(name=label)))
    if kind == "sub_budgets" and not 0 <= int(entry.get("amount", -1)) <= budget:
        reasons.append(Reason("constraints.amount", _("The sub-budget of {name} must be between 0 and "
                                                      "the ballot's budget.").format(name=label)))
    return reasons


def _totals(stored: dict[str, Any], budget: int) -> list[Reason]:
    reasons: list[Reason] = []
    subs = stored.get("sub_budgets", [])
    amounts = [int(g.get("amount") or 0) for g in subs]
    if all(0 <= amount <= budget for amount in amounts) and sum(amounts) > budget:
        reasons.append(Reason("constraints.sub_budgets", _("The sub-budgets add up to more than the ballot's "
                                                           "budget.")))
    seen: set[int] = set()
    for n, group in enumerate(subs):
        if seen & set(group["projects"]):
            reasons.append(GroupReason("constraints.overlap", _("A project cannot be in two sub-budgets ({name}).")
                                       .format(name=group["name"]), f"sub_budgets-{n}"))
        seen |= set(group["projects"])
    shares = [Fraction(str(g.get("percent") or 0)) for g in stored.get("min_shares", [])]
    if all(0 <= share <= 100 for share in shares) and sum(shares) > 100:
        reasons.append(Reason("constraints.min_total", _("The minimum shares add up to more than 100% of the "
                                                         "budget.")))
    return reasons
