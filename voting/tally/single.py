"""Single-winner decisions: instant-runoff on rankings, plurality on choose-one ballots.

Projects that are withdrawn or cost more than the budget do not run.
"""

from __future__ import annotations

from collections import Counter

from voting.tally.model import Election, Project, VoteType
from voting.tally.result import Explanation, TallyResult, number
from voting.tally.tiebreak import tie_key

__all__ = ["irv", "plurality"]


def _runners(election: Election) -> tuple[list[Project], dict[str, Explanation]]:
    runners, notes = [], {}
    for p in election.projects:
        if p.withdrawn:
            notes[p.id] = Explanation(p.id, "withdrawn", False, {"cost": number(p.cost)})
        elif p.cost > election.budget:
            notes[p.id] = Explanation(
                p.id, "over-budget", False, {"cost": number(p.cost), "left": number(election.budget)}
            )
        else:
            runners.append(p)
    return runners, notes


def _result(rule: str, election: Election, chain: tuple[str, ...], winner: Project | None,
            notes: dict[str, Explanation]) -> TallyResult:
    chosen = (winner.id,) if winner else ()
    cost = winner.cost if winner else election.budget * 0
    explanations = tuple(notes[p.id] for p in election.projects)
    return TallyResult(rule, chain, election.budget, chosen, cost, explanations)


def irv(election: Election, chain: tuple[str, ...]) -> TallyResult:
    """Instant-runoff: eliminate together all projects with the fewest first preferences."""
    if election.vote_type not in (VoteType.ORDINAL, VoteType.CHOOSE_ONE):
        raise ValueError(f"irv does not support {election.vote_type} ballots")
    runners, notes = _runners(election)
    alive = {p.id: p for p in runners}
    key = tie_key(chain, election)
    winner: Project | None = None
    piles: dict[str | None, list[tuple[tuple[str, ...], int, int]]] = {pid: [] for pid in alive}
    piles[None] = []
    tops: dict[str | None, int] = dict.fromkeys(piles, 0)
    for ballot, weight in election.ballot_counts.items():
        _deal(piles, tops, alive, (ballot.projects, weight, 0))
    round_no = 0
    while alive:
        round_no += 1
        fewest = min(tops[pid] for pid in alive)
        lowest = [pid for pid in alive if tops[pid] == fewest]
        if len(lowest) == len(alive):
            winner = min(alive.values(), key=key)
            for pid in alive:
                code = "winner" if pid == winner.id else "eliminated"
                notes[pid] = Explanation(pid, code, pid == winner.id, {"round": round_no, "votes": tops[pid]})
            break
        for pid in lowest:
            notes[pid] = Explanation(pid, "eliminated", False, {"round": round_no, "votes": tops[pid]})
            del alive[pid]
        for pid in lowest:
            for item in piles.pop(pid):
                _deal(piles, tops, alive, item)
    return _result("irv", election, chain, winner, notes)


def plurality(election: Election, chain: tuple[str, ...]) -> TallyResult:
    """Plurality: the project chosen by most voters wins."""
    if election.vote_type is not VoteType.CHOOSE_ONE:
        raise ValueError(f"plurality needs choose-1 ballots, not {election.vote_type}")
    runners, notes = _runners(election)
    votes: Counter[str] = Counter({p.id: 0 for p in runners})
    for ballot, weight in election.ballot_counts.items():
        for pid in ballot.projects:
            if pid in votes:
                votes[pid] += weight
    key = tie_key(chain, election)
    ranked = sorted(runners, key=lambda p: (-votes[p.id], key(p)))
    for rank, p in enumerate(ranked, start=1):
        code = "winner" if rank == 1 else "lost"
        notes[p.id] = Explanation(p.id, code, rank == 1, {"rank": rank, "votes": votes[p.id]})
    return _result("plurality", election, chain, ranked[0] if ranked else None, notes)


def _deal(
    piles: dict[str | None, list[tuple[tuple[str, ...], int, int]]],
    tops: dict[str | None, int],
    alive: dict[str, Project],
    item: tuple[tuple[str, ...], int, int],
) -> None:
    """Put a ballot on the pile of its highest-ranked project still running."""
    ranking, weight, at = item
    while at < len(ranking) and ranking[at] not in alive:
        at += 1
    top = ranking[at] if at < len(ranking) else None
    piles[top].append((ranking, weight, at))
    tops[top] += weight
