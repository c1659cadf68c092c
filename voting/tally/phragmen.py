"""Sequential Phragmén: voters earn money continuously; a project is bought once its supporters can pay.

As in pabutools, the rule stops as soon as a project tied for the lowest load no longer fits.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

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
    supp: list[list[int]] = [[] for _ in projects]
    for voter, ballot in enumerate(election.ballots):
        for pid in ballot.projects:
            supp[index[pid]].append(voter)
    key = tie_key(chain, election)
    rank = {i: r for r, i in enumerate(sorted(range(len(projects)), key=lambda i: key(projects[i])))}
    loads: list[Fraction] = [Fraction(0)]
    cls = [0] * election.voters
    left = election.budget
    remaining = {i for i, p in enumerate(projects) if not p.withdrawn and p.cost <= left}
    notes: dict[str, Explanation] = {}
    chosen: list[str] = []
    stopped_at: str | None = None
    while remaining:
        best: Fraction | None = None
        tied: list[int] = []
        for i in remaining:
            if not supp[i]:
                continue
            held = sum((loads[c] * k for c, k in Counter(map(cls.__getitem__, supp[i])).items()), Fraction(0))
            load = (held + projects[i].cost) / len(supp[i])
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
            loads.append(best)
            for v in supp[winner]:
                cls[v] = len(loads) - 1
        facts = {"round": len(chosen), "cost": number(project.cost), "left": number(left)}
        if best is not None:
            facts["load"] = number(best)
        notes[project.id] = Explanation(project.id, "phragmen-selected", True, facts)
    for p in projects:
        if p.id in notes:
            continue
        facts = {"cost": number(p.cost), "supporters": len(supp[index[p.id]])}
        if p.withdrawn:
            notes[p.id] = Explanation(p.id, "withdrawn", False, facts)
        elif p.id == stopped_at or p.cost > left:
            notes[p.id] = Explanation(p.id, "over-budget", False, {**facts, "left": number(left)})
        else:
            notes[p.id] = Explanation(p.id, "not-reached", False, {**facts, "stopped_at": stopped_at})
    total = sum((election.project_by_id[p].cost for p in chosen), Fraction(0))
    explanations = tuple(notes[p.id] for p in projects)
    return TallyResult("phragmen", chain, election.budget, tuple(chosen), total, explanations)
