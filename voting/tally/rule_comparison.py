"""Compare the rules: what greedy, Equal Shares and Phragmén each fund from the same votes, and for whom.

Voter groups: each voter joins the group of the most supported project on their ballot (ties: the ballot's
tie-break), so a group reads "the voters whose most popular choice was X". The largest `max_groups` groups are
shown, the rest merged into one group (`project` None); voters who supported nothing form no group.

Money per voter: a funded project's cost is shared equally among all its supporters; a group's figure is what
its voters' shares of funded projects add up to, divided by the group's size. Summed over every voter this is
the cost of the funded projects that someone supported, whatever the rule; how it is spread is what differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from voting.tally.model import Election, VoteType
from voting.tally.result import TallyResult, number
from voting.tally.rules import supports, tally
from voting.tally.tiebreak import supporters, tie_key

__all__ = ["COMPARED_RULES", "GroupShare", "RuleComparison", "RuleOutcome", "compare_rules"]

COMPARED_RULES = ("greedy", "equalshares/add1", "phragmen")


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """One rule's funded projects, their cost, and how many voters have at least one of theirs funded."""

    rule: str
    selected: tuple[str, ...]
    total_cost: Fraction
    satisfied: int


@dataclass(frozen=True, slots=True)
class GroupShare:
    """A voter group (None: the smaller groups merged), its size and the money per voter under each rule."""

    project: str | None
    voters: int
    per_voter: tuple[Fraction, ...]  # in the order of `RuleComparison.outcomes`


@dataclass(frozen=True, slots=True)
class RuleComparison:
    """Every compared rule's outcome and the groups' money per voter under each."""

    voters: int
    outcomes: tuple[RuleOutcome, ...]
    groups: tuple[GroupShare, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (amounts as numbers)."""
        return {
            "voters": self.voters,
            "outcomes": [{"rule": o.rule, "selected": list(o.selected), "total_cost": number(o.total_cost),
                          "satisfied": o.satisfied} for o in self.outcomes],
            "groups": [{"project": g.project, "voters": g.voters, "per_voter": [number(v) for v in g.per_voter]}
                       for g in self.groups],
        }


def compare_rules(
    election: Election,
    chain: tuple[str, ...],
    known: Mapping[str, TallyResult] | None = None,
    rules: tuple[str, ...] = COMPARED_RULES,
    max_groups: int = 8,
) -> RuleComparison:
    """Run each of `rules` the ballots allow (reusing `known` results by rule name) and compare them by group."""
    known = known or {}
    results = [known[r] if r in known else tally(election, r, chain) for r in rules
               if r in known or supports(r, election.vote_type)]
    counts = supporters(election)
    key = tie_key(chain, election)
    order = {p.id: (-counts[p.id], key(p)) for p in election.projects}
    sizes: dict[str, int] = {}
    spent: dict[str, list[Fraction]] = {}
    funded = [set(r.selected) for r in results]
    satisfied = [0] * len(results)
    share = {p.id: p.cost / counts[p.id] for p in election.projects if counts[p.id]}
    for ballot, weight in election.ballot_counts.items():
        liked = _liked(ballot.projects, ballot.points, election.vote_type)
        if not liked:
            continue
        group = min(liked, key=order.__getitem__)
        sizes[group] = sizes.get(group, 0) + weight
        money = spent.setdefault(group, [Fraction(0)] * len(results))
        for k, chosen in enumerate(funded):
            mine = [p for p in liked if p in chosen]
            if mine:
                satisfied[k] += weight
                money[k] += weight * sum((share[p] for p in mine), Fraction(0))
    ranked = sorted(sizes, key=lambda g: (-sizes[g], order[g]))
    shown = [GroupShare(g, sizes[g], tuple(m / sizes[g] for m in spent[g])) for g in ranked[:max_groups]]
    rest = ranked[max_groups:]
    if rest:
        size = sum(sizes[g] for g in rest)
        totals = [sum((spent[g][k] for g in rest), Fraction(0)) for k in range(len(results))]
        shown.append(GroupShare(None, size, tuple(t / size for t in totals)))
    outcomes = tuple(RuleOutcome(r.rule, r.selected, r.total_cost, s) for r, s in zip(results, satisfied, strict=True))
    return RuleComparison(election.voters, outcomes, tuple(shown))


def _liked(projects: tuple[str, ...], points: tuple[int, ...] | None, kind: VoteType) -> list[str]:
    """The projects a ballot supports (points above 0 for cumulative ballots)."""
    if points is None or kind is not VoteType.CUMULATIVE:
        return list(projects)
    return [p for p, u in zip(projects, points, strict=True) if u > 0]
