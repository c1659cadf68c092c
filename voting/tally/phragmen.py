"""Sequential Phragmén: voters earn money continuously; a project is bought once its supporters can pay.

As in pabutools, the rule stops as soon as a project tied for the lowest load no longer fits.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd, lcm

from voting.tally.model import Election, VoteType
from voting.tally.result import Explanation, TallyResult, number
from voting.tally.tiebreak import tie_key

__all__ = ["phragmen"]


def phragmen(election: Election, chain: tuple[str, ...]) -> TallyResult:
    """Sequential Phragmén on approval (or choose-1) ballots."""
    if election.vote_type not in (VoteType.APPROVAL, VoteType.CHOOSE_ONE):
        raise ValueError(f"phragmen does not support {election.vote_type} ballots")
    projects = election.projects
    index = {p.id: i for i, p in enumerate(projects)}
    groups = [(tuple(index[pid] for pid in b.projects), w) for b, w in election.ballot_counts.items()]
    supp: list[list[int]] = [[] for _ in projects]
    approvals = [0] * len(projects)
    for g, (picked, weight) in enumerate(groups):
        for i in picked:
            supp[i].append(g)
            approvals[i] += weight
    key = tie_key(chain, election)
    rank = {i: r for r, i in enumerate(sorted(range(len(projects)), key=lambda i: key(projects[i])))}
    den = lcm(*(p.cost.denominator for p in projects)) if projects else 1
    loads = [0]  # load of each class, as integers over `den`
    cls = [0] * len(groups)
    count: list[dict[int, int]] = [{0: a} if a else {} for a in approvals]
    left = election.budget
    remaining = {i for i, p in enumerate(projects) if not p.withdrawn and p.cost <= left}
    notes: dict[str, Explanation] = {}
    chosen: list[str] = []
    stopped_at: str | None = None
    while remaining:
        best: Fraction | None = None
        tied: list[int] = []
        for i in remaining:
            if not approvals[i]:
                continue
            held = sum(loads[c] * k for c, k in count[i].items())
            load = Fraction(held + int(projects[i].cost * den), approvals[i] * den)
            if best is None or load < best:
                best, tied = load, [i]
            elif load == best:
                tied.append(i)
        if best is None:
            tied = list(remaining)  # nobody supports what is left: all tied at an infinite load
        if any(projects[i].cost > left for i in tied):
            stopped_at = projects[min((i for i in tied if projects[i].cost > left), key=rank.__getitem__)].id
            break
        winner = min(tied, key=rank.__getitem__)
        remaining.discard(winner)
        project = projects[winner]
        left -= project.cost
        chosen.append(project.id)
        if best is not None:
            scale = best.denominator // gcd(best.denominator, den)
            den *= scale
            loads = [v * scale for v in loads]
            loads.append(best.numerator * den // best.denominator)
            _move(groups, supp[winner], cls, count, len(loads) - 1)
        facts = {"round": len(chosen), "cost": number(project.cost), "left": number(left)}
        if best is not None:
            facts["load"] = number(best)
        notes[project.id] = Explanation(project.id, "phragmen-selected", True, facts)
    for p in projects:
        if p.id in notes:
            continue
        facts = {"cost": number(p.cost), "supporters": approvals[index[p.id]]}
        if p.withdrawn:
            notes[p.id] = Explanation(p.id, "withdrawn", False, facts)
        elif p.id == stopped_at or p.cost > left:
            notes[p.id] = Explanation(p.id, "over-budget", False, {**facts, "left": number(left)})
        else:
            notes[p.id] = Explanation(p.id, "not-reached", False, {**facts, "stopped_at": stopped_at})
    total = sum((election.project_by_id[p].cost for p in chosen), Fraction(0))
    explanations = tuple(notes[p.id] for p in projects)
    return TallyResult("phragmen", chain, election.budget, tuple(chosen), total, explanations)


def _move(
    groups: list[tuple[tuple[int, ...], int]], members: list[int], cls: list[int],
    count: list[dict[int, int]], new: int,
) -> None:
    """Give the winner's supporters the new load class, keeping per-project class counts."""
    for g in members:
        old = cls[g]
        cls[g] = new
        chosen, weight = groups[g]
        for q in chosen:
            c = count[q]
            left = c[old] - weight
            if left:
                c[old] = left
            else:
                del c[old]
            c[new] = c.get(new, 0) + weight
