"""Greedy rules: fund projects by decreasing score while the budget lasts."""

from __future__ import annotations

from fractions import Fraction

from voting.tally.model import Ballots, Election, Project, VoteType
from voting.tally.result import Explanation, TallyResult, number
from voting.tally.tiebreak import tie_key

__all__ = ["greedy", "greedy_fill", "scores"]


def scores(election: Election) -> dict[str, int]:
    """Approvals (approval, choose-1), total points (cumulative) or L-r+1 points (ordinal, L = ballot length)."""
    totals = dict.fromkeys(election.project_by_id, 0)
    ordinal = election.vote_type is VoteType.ORDINAL
    if isinstance(election.ballots, Ballots) and election.vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_ONE):
        totals.update(election.ballots.approvals())  # counted on the distinct ballots, in C
        return totals
    for ballot, weight in election.ballot_counts.items():
        if ballot.points is not None:
            for pid, points in zip(ballot.projects, ballot.points, strict=True):
                totals[pid] += points * weight
        elif ordinal:
            top = len(ballot.projects)
            for rank, pid in enumerate(ballot.projects, start=1):
                totals[pid] += (top - rank + 1) * weight
        else:
            for pid in ballot.projects:
                totals[pid] += weight
    return totals


def _order(election: Election, chain: tuple[str, ...], score: dict[str, int]) -> list[Project]:
    key = tie_key(chain, election)
    return sorted(election.projects, key=lambda p: (-score[p.id], key(p)))


def greedy(
    election: Election,
    chain: tuple[str, ...],
    *,
    rule: str = "greedy",
    skip: bool = True,
    threshold: Fraction | None = None,
) -> TallyResult:
    """Fund by score; skip (or, with skip=False, stop at) what no longer fits."""
    score = scores(election)
    left = election.budget
    chosen: list[str] = []
    notes: list[Explanation] = []
    stopped_at: str | None = None
    rank = 0
    for project in _order(election, chain, score):
        pid, points = project.id, score[project.id]
        if project.withdrawn:
            notes.append(Explanation(pid, "withdrawn", False, {"score": points}))
            continue
        if threshold is not None and points < threshold:
            notes.append(
                Explanation(pid, "below-threshold", False, {"score": points, "threshold": number(threshold)})
            )
            continue
        rank += 1
        facts = {"rank": rank, "score": points, "cost": number(project.cost)}
        if stopped_at is not None:
            notes.append(Explanation(pid, "not-reached", False, {**facts, "stopped_at": stopped_at}))
        elif project.cost <= left:
            left -= project.cost
            chosen.append(pid)
            notes.append(Explanation(pid, "selected", True, {**facts, "left": number(left)}))
        else:
            notes.append(Explanation(pid, "over-budget", False, {**facts, "left": number(left)}))
            if not skip:
                stopped_at = pid
    return _result(election, rule, chain, chosen, notes)


def greedy_fill(
    election: Election, chain: tuple[str, ...], already: list[str]
) -> tuple[list[str], dict[str, Explanation]]:
    """Greedy completion: add, by score, what still fits next to `already`."""
    score = scores(election)
    costs = election.project_by_id
    left = election.budget - sum((costs[p].cost for p in already), Fraction(0))
    added: list[str] = []
    notes: dict[str, Explanation] = {}
    taken = set(already)
    for rank, project in enumerate(_order(election, chain, score), start=1):
        if project.id in taken or project.withdrawn or project.cost > left:
            continue
        left -= project.cost
        added.append(project.id)
        facts = {"rank": rank, "score": score[project.id], "cost": number(project.cost), "left": number(left)}
        notes[project.id] = Explanation(project.id, "completed", True, facts)
    return added, notes


def _result(
    election: Election, rule: str, chain: tuple[str, ...], chosen: list[str], notes: list[Explanation]
) -> TallyResult:
    by_id = {e.project: e for e in notes}
    cost = sum((election.project_by_id[p].cost for p in chosen), Fraction(0))
    ordered = tuple(by_id[p.id] for p in election.projects)
    return TallyResult(rule, chain, election.budget, tuple(chosen), cost, ordered)
