"""Pure: what the vote screen shows around a choice: refusals placed beside their control, the review lines, the
hidden fields that carry a choice from the review page to the final submit, and the browser's memory key."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["BUDGET_CODES", "ReviewLine", "place_reasons", "review_lines", "hidden_fields", "memory_key"]

BUDGET_CODES = frozenset({"vote.over_budget", "vote.under_budget"})
"""Refusals shown beside the budget bar; the others beside the projects (or the points counter)."""
POINT_CODES = frozenset({"vote.points_total", "vote.points_per_project", "vote.points_negative"})


class _Project(Protocol):
    @property
    def proposal_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def cost(self) -> int: ...


@dataclass(frozen=True)
class ReviewLine:
    """One chosen project as the review page lists it: with its points or its rank where the format has them."""

    proposal_id: int
    title: str
    cost: int
    points: int | None = None
    rank: int | None = None


def place_reasons(reasons: Iterable[Mapping[str, str]]) -> dict[str, list[str]]:
    """Refusal messages by where they go: ``budget`` (the bar), ``points`` (the counter) or ``choice`` (the list)."""
    placed: dict[str, list[str]] = {"budget": [], "points": [], "choice": []}
    for reason in reasons:
        code = reason.get("code", "")
        where = "budget" if code in BUDGET_CODES else "points" if code in POINT_CODES else "choice"
        placed[where].append(reason.get("message", ""))
    return placed


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def review_lines(projects: Sequence[_Project], choice: Mapping[str, Any], vote_format: str) -> list[ReviewLine]:
    """The chosen projects in the order the voter will be counted: by rank for a ranked ballot, else as listed."""
    by_id = {project.proposal_id: project for project in projects}
    if vote_format == "cumulative":
        points = {_as_int(k): _as_int(v) for k, v in dict(choice.get("points") or {}).items()}
        return [ReviewLine(p.proposal_id, p.title, p.cost, points=points[p.proposal_id]) for p in projects
                if (points.get(p.proposal_id) or 0) > 0]
    chosen = [pid for pid in choice.get("projects") or [] if isinstance(pid, int) and pid in by_id]
    if vote_format == "ranked":
        return [ReviewLine(pid, by_id[pid].title, by_id[pid].cost, rank=rank) for rank, pid in enumerate(chosen, 1)]
    wanted = set(chosen)
    return [ReviewLine(p.proposal_id, p.title, p.cost) for p in projects if p.proposal_id in wanted]


def hidden_fields(choice: Mapping[str, Any], vote_format: str) -> list[tuple[str, str]]:
    """The form fields that post ``choice`` again, as the vote form names them (``choice_from_form`` reads them)."""
    if choice.get("blank") is True:
        return [("blank", "1")]
    if vote_format == "cumulative":
        return [(f"points_{key}", str(value)) for key, value in dict(choice.get("points") or {}).items()]
    chosen = list(choice.get("projects") or [])
    if vote_format == "ranked":
        return [(f"rank_{rank}", str(pid)) for rank, pid in enumerate(chosen, 1)]
    return [("projects", str(pid)) for pid in chosen]


def memory_key(ballot_id: int, voter_id: object) -> str:
    """The browser's key for this voter's last vote on this ballot: two residents sharing a tab never see each
    other's choice, and the key names neither the account nor anything the server could look up a vote by."""
    digest = hashlib.sha256(f"greenballot-vote-memory:{ballot_id}:{voter_id}".encode()).hexdigest()[:20]
    return f"greenballot.vote.{ballot_id}.{digest}"
