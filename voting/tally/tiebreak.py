"""Tie-breaking chains: which of several equally good projects goes first."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from voting.tally.model import Ballots, Election, Project

__all__ = ["DEFAULT_TIE_BREAK", "TIE_BREAKS", "TieBreakError", "parse_tie_break", "supporters", "tie_key"]

TIE_BREAKS: dict[str, str] = {
    "min-cost": "the cheaper project goes first",
    "max-cost": "the dearer project goes first",
    "max-votes": "the project more voters supported goes first",
    "lexico": "the project whose id comes first in string order goes first",
}
DEFAULT_TIE_BREAK: tuple[str, ...] = ("min-cost", "max-votes", "lexico")


class TieBreakError(ValueError):
    """An unknown or repeated tie-break name."""


def parse_tie_break(text: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Split `min-cost,max-votes` into a validated chain."""
    names = [n.strip() for n in text.split(",")] if isinstance(text, str) else [n.strip() for n in text]
    names = [n for n in names if n]
    if not names:
        raise TieBreakError("empty tie-break; choose from " + ", ".join(TIE_BREAKS))
    for name in names:
        if name not in TIE_BREAKS:
            raise TieBreakError(f"unknown tie-break {name!r}; choose from " + ", ".join(TIE_BREAKS))
    if len(set(names)) != len(names):
        raise TieBreakError(f"tie-break {text!r} names a criterion twice")
    return tuple(names)


def supporters(election: Election) -> dict[str, int]:
    """How many voters support each project (approve it, give it points or rank it)."""
    counts = dict.fromkeys(election.project_by_id, 0)
    if isinstance(election.ballots, Ballots):
        counts.update(election.ballots.approvals())  # counted on the distinct ballots, in C
        return counts
    for ballot, weight in election.ballot_counts.items():
        points = ballot.points
        for i, pid in enumerate(ballot.projects):
            if points is None or points[i] > 0:
                counts[pid] += weight
    return counts


def tie_key(
    chain: tuple[str, ...], election: Election
) -> Callable[[Project], tuple[Fraction | int | str, ...]]:
    """A sort key putting the project the chain prefers first; ids in string order settle the rest."""
    votes = supporters(election) if "max-votes" in chain else {}

    def key(project: Project) -> tuple[Fraction | int | str, ...]:
        parts: list[Fraction | int | str] = []
        for name in chain:
            if name == "min-cost":
                parts.append(project.cost)
            elif name == "max-cost":
                parts.append(-project.cost)
            elif name == "max-votes":
                parts.append(-votes[project.id])
            else:
                parts.append(project.id)
        parts.append(project.id)
        return tuple(parts)

    return key
