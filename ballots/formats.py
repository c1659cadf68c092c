"""Vote formats, their settings, and the pure check of one voter's choice against them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from voting.i18n import gettext as _
from voting.i18n import ngettext

__all__ = ["VOTE_FORMATS", "TALLY_VOTE_TYPES", "FormatConfig", "Project", "Reason", "validate_config",
           "validate_vote", "canonical_content", "total_cost", "is_blank", "BLANK"]

VOTE_FORMATS = ("approval", "knapsack", "cumulative", "ranked", "choose-one")
TALLY_VOTE_TYPES = {"approval": "approval", "knapsack": "approval", "cumulative": "cumulative",
                    "ranked": "ordinal", "choose-one": "choose-1"}
"""Each format's ballots as the tally engine names them (``voting.tally.VoteType`` values)."""


@dataclass(frozen=True)
class Reason:
    """Why something was refused: a stable code for programs and a sentence for people."""

    code: str
    message: str


@dataclass(frozen=True)
class Project:
    id: int
    cost: int


@dataclass(frozen=True)
class FormatConfig:
    """A ballot's vote format; only the fields of its format matter."""

    vote_format: str = "knapsack"
    budget: int = 0
    min_projects: int | None = None
    max_projects: int | None = None
    min_spend_percent: int | None = None
    total_points: int | None = None
    max_points_per_project: int | None = None
    max_ranks: int | None = None
    allow_blank: bool = False
    """A voter may choose no project: the vote counts in turnout, apart, and never in the selection."""


BLANK: dict[str, Any] = {"blank": True}
"""The stored content of a blank vote."""


def is_blank(choice: Mapping[str, Any]) -> bool:
    """A choice of no project: ``{"blank": true}``, or no project listed and no point given."""
    if choice.get("blank") is True:
        return True
    projects, points = choice.get("projects"), choice.get("points")
    return (projects is None or projects == []) and (points is None or (
        isinstance(points, Mapping) and all(isinstance(v, int) and not isinstance(v, bool) and v == 0
                                            for v in points.values())))


def _blank_refusals(config: FormatConfig, choice: Mapping[str, Any]) -> list[Reason]:
    """A blank vote is valid only where the ballot allows it, and names no project."""
    if not config.allow_blank:
        return [Reason("vote.blank_not_allowed", _("This ballot does not accept blank votes: choose at least one "
                                                   "project."))]
    points = choice.get("points")
    if choice.get("projects") or isinstance(points, Mapping) and any(points.values()) or (
            points is not None and not isinstance(points, Mapping)):
        return [Reason("vote.blank_with_choice", _("A blank vote chooses no project."))]
    return []


def validate_config(config: FormatConfig, project_count: int) -> list[Reason]:
    """What is wrong with a format's settings (an empty list when it can be opened)."""
    reasons: list[Reason] = []
    if config.vote_format not in VOTE_FORMATS:
        return [Reason("format.unknown", _("Unknown vote format {name}.").format(name=config.vote_format))]
    low, high = config.min_projects, config.max_projects
    if low is not None and low < 0 or high is not None and high < 1:
        reasons.append(Reason("format.bounds", _("The number of projects must be positive.")))
    elif low is not None and high is not None and low > high:
        reasons.append(Reason("format.bounds", _("The minimum number of projects exceeds the maximum.")))
    if config.min_spend_percent is not None and not 0 <= config.min_spend_percent <= 100:
        reasons.append(Reason("format.share", _("The minimum share of the budget must be between 0 and 100.")))
    if config.vote_format == "cumulative":
        if not config.total_points or config.total_points < 1:
            reasons.append(Reason("format.points", _("A cumulative ballot needs a positive number of points.")))
        elif config.max_points_per_project is not None and not 1 <= config.max_points_per_project:
            reasons.append(Reason("format.points", _("The points per project must be positive.")))
    if config.vote_format == "ranked" and (config.max_ranks is None or config.max_ranks < 1):
        reasons.append(Reason("format.ranks", _("A ranked ballot needs a positive number of ranks.")))
    if project_count == 0:
        reasons.append(Reason("format.empty", _("The ballot has no project.")))
    return reasons


def total_cost(projects: Mapping[int, Project], chosen: Sequence[int]) -> int:
    return sum(projects[pid].cost for pid in set(chosen) if pid in projects)


def _ids(choice: Mapping[str, Any], projects: Mapping[int, Project], reasons: list[Reason]) -> list[int]:
    raw = choice.get("projects")
    if not isinstance(raw, list) or not all(isinstance(p, int) and not isinstance(p, bool) for p in raw):
        reasons.append(Reason("vote.shape", _("List the chosen projects by their numbers.")))
        return []
    unknown = sorted({p for p in raw if p not in projects})
    if unknown:
        reasons.append(Reason("vote.unknown", _("Unknown projects: {ids}.").format(
            ids=", ".join(map(str, unknown)))))
    if len(set(raw)) != len(raw):
        reasons.append(Reason("vote.duplicate", _("A project is chosen more than once.")))
    return list(raw)


def _count(config: FormatConfig, chosen: Sequence[int], reasons: list[Reason]) -> None:
    low = config.min_projects if config.min_projects is not None else 1
    if len(chosen) < low:
        reasons.append(Reason("vote.too_few", ngettext(
            "Choose at least {n} project.", "Choose at least {n} projects.", low).format(n=low)))
    high = config.max_projects
    if high is not None and len(chosen) > high:
        reasons.append(Reason("vote.too_many", ngettext(
            "Choose at most {n} project.", "Choose at most {n} projects.", high).format(n=high)))


def _points(config: FormatConfig, choice: Mapping[str, Any], projects: Mapping[int, Project],
            reasons: list[Reason]) -> None:
    raw = choice.get("points")
    if not isinstance(raw, Mapping) or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values()):
        reasons.append(Reason("vote.shape", _("Give points as whole numbers per project.")))
        return
    given: dict[int, int] = {}
    for key, value in raw.items():
        try:
            pid = int(key)
        except (TypeError, ValueError):
            reasons.append(Reason("vote.unknown", _("Unknown projects: {ids}.").format(ids=str(key))))
            continue
        if pid in given:
            reasons.append(Reason("vote.duplicate", _("A project is chosen more than once.")))
        given[pid] = value
    unknown = sorted(p for p in given if p not in projects)
    if unknown:
        reasons.append(Reason("vote.unknown", _("Unknown projects: {ids}.").format(ids=", ".join(map(str, unknown)))))
    if any(v < 0 for v in given.values()):
        reasons.append(Reason("vote.points_negative", _("Points cannot be negative.")))
    limit = config.max_points_per_project
    if limit is not None and any(v > limit for v in given.values()):
        reasons.append(Reason("vote.points_per_project", ngettext(
            "At most {n} point per project.", "At most {n} points per project.", limit).format(n=limit)))
    total = sum(v for v in given.values() if v > 0)
    if config.total_points is not None and total > config.total_points:
        reasons.append(Reason("vote.points_total", _("You gave {given} points; the limit is {n}.").format(
            given=total, n=config.total_points)))
    if total == 0:
        reasons.append(Reason("vote.too_few", _("Give at least one point.")))


def validate_vote(config: FormatConfig, projects: Mapping[int, Project], choice: Mapping[str, Any]) -> list[Reason]:
    """Every reason ``choice`` is not a valid vote under ``config``; empty when it is valid."""
    if choice.get("blank") is False:  # "not blank": the choice itself says what it is
        choice = {key: value for key, value in choice.items() if key != "blank"}
    if "blank" in choice:
        if choice["blank"] is not True:
            return [Reason("vote.shape", _("A blank vote is written {\"blank\": true}."))]
        return _blank_refusals(config, choice)
    if is_blank(choice):  # an empty choice: a blank vote where allowed, else refused (even with no minimum)
        return _blank_refusals(config, choice) if config.allow_blank else (
            _choice_refusals(config, projects, choice) or _blank_refusals(config, choice))
    return _choice_refusals(config, projects, choice)


def _choice_refusals(config: FormatConfig, projects: Mapping[int, Project],
                     choice: Mapping[str, Any]) -> list[Reason]:
    reasons: list[Reason] = []
    if config.vote_format == "cumulative":
        _points(config, choice, projects, reasons)
        return reasons
    chosen = _ids(choice, projects, reasons)
    if config.vote_format == "choose-one":
        if len(set(chosen)) != 1:
            reasons.append(Reason("vote.choose_one", _("Choose exactly one project.")))
    elif config.vote_format == "ranked":
        if not chosen:
            reasons.append(Reason("vote.too_few", _("Rank at least one project.")))
        if config.max_ranks is not None and len(chosen) > config.max_ranks:
            reasons.append(Reason("vote.too_many", ngettext(
                "Rank at most {n} project.", "Rank at most {n} projects.", config.max_ranks,
            ).format(n=config.max_ranks)))
    else:
        _count(config, chosen, reasons)
    if config.vote_format == "knapsack":
        cost = total_cost(projects, chosen)
        if cost > config.budget:
            reasons.append(Reason("vote.over_budget", _("Your choice costs {cost} €, over the budget of {budget} €.")
                                  .format(cost=cost, budget=config.budget)))
        share = config.min_spend_percent
        if share and cost * 100 < share * config.budget:
            reasons.append(Reason("vote.under_budget", _("Spend at least {share}% of the budget.").format(share=share)))
    return reasons


def canonical_content(config: FormatConfig, choice: Mapping[str, Any]) -> dict[str, Any]:
    """The stored content of a valid vote: sorted project ids, or the ranking order, or non-zero points, or
    :data:`BLANK`."""
    if is_blank(choice):
        return dict(BLANK)
    if config.vote_format == "cumulative":
        points = {str(int(k)): int(v) for k, v in choice["points"].items() if int(v) > 0}
        return {"points": dict(sorted(points.items(), key=lambda item: int(item[0])))}
    chosen = [int(p) for p in choice["projects"]]
    return {"projects": chosen if config.vote_format == "ranked" else sorted(chosen)}
