"""Pure: which projects a minimum score or a minimum share of voters leaves fundable, and a rule run on them only."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from voting.tally.greedy import scores
from voting.tally.model import Ballots, Election, ballot_without
from voting.tally.result import Explanation, TallyResult, number
from voting.tally.tiebreak import supporters

__all__ = ["below_threshold", "restricted", "with_threshold"]


def below_threshold(election: Election, min_score: Fraction | None, min_share: Fraction | None
                    ) -> dict[str, Explanation]:
    """The projects that cannot be funded, each with its ``below-threshold`` explanation.

    ``min_score`` is a score (votes, or points); ``min_share`` a percentage of the voters who must support the
    project (approve it, rank it or give it points)."""
    if not min_score and not min_share:
        return {}
    score, backers, voters = scores(election), supporters(election), election.voters
    out: dict[str, Explanation] = {}
    for project in election.projects:
        pid = project.id
        low_score = bool(min_score) and score[pid] < (min_score or 0)
        low_share = bool(min_share) and backers[pid] * 100 < (min_share or 0) * voters
        if low_score or low_share:
            facts: dict[str, int | float] = {"score": score[pid], "supporters": backers[pid]}
            if min_score:
                facts["threshold"] = number(min_score)
            if min_share:
                facts["min_share"] = number(min_share)
            out[pid] = Explanation(pid, "below-threshold", False, facts)
    return out


def restricted(election: Election, removed: set[str]) -> Election:
    """The same election without ``removed`` projects: gone from the list and from every ballot."""
    projects = [p for p in election.projects if p.id not in removed]
    if isinstance(election.ballots, Ballots):  # a subset of a checked election's projects: nothing to check again
        return Election(tuple(projects), election.budget, election.vote_type, election.ballots.without(removed),
                        election.max_length, None, dict(election.meta))
    distinct = {ballot: ballot_without(ballot, removed) for ballot in election.ballot_counts}
    return Election.build(projects, election.budget, election.vote_type, [distinct[b] for b in election.ballots],
                          max_length=election.max_length, meta=election.meta)


def with_threshold(election: Election, min_score: Fraction | None, min_share: Fraction | None,
                   run: Callable[[Election], TallyResult]) -> TallyResult:
    """``run`` on the fundable projects only; the others explained as ``below-threshold``."""
    below = below_threshold(election, min_score, min_share)
    if not below:
        return run(election)
    result = run(restricted(election, set(below)))
    notes = {e.project: e for e in result.explanations} | below
    ordered = tuple(notes[p.id] for p in election.projects if p.id in notes)
    return TallyResult(result.rule, result.tie_break, result.budget, result.selected, result.total_cost, ordered,
                       {**result.facts, "below_threshold": sorted(below)})
