"""The comparison step of `equalshares/add1-comparison`: keep Equal Shares unless more voters prefer greedy.

As equalshares.net's compute tool and pabulib-checker define it (mode "satisfaction"): a voter's satisfaction
with a set of projects is how many of them the voter approves. Count the voters more satisfied by the Equal
Shares outcome and those more satisfied by plain greedy (by votes, skipping what no longer fits); greedy's
outcome replaces Equal Shares' only when strictly more voters prefer it. Every voter counts, including one who
approves nothing in one of the two sets (the compute tool's JavaScript skips such voters by accident of
`undefined` comparisons; the checker and this module count them, which is the rule as written).
"""

from __future__ import annotations

from dataclasses import dataclass

from voting.tally.greedy import greedy
from voting.tally.model import Election
from voting.tally.result import TallyResult

__all__ = ["Preference", "compare_outcomes", "with_comparison"]


@dataclass(frozen=True, slots=True)
class Preference:
    """How many voters prefer each outcome, and which one the comparison step keeps."""

    prefer_mes: int
    prefer_greedy: int

    @property
    def keeps_greedy(self) -> bool:
        """True when strictly more voters prefer greedy's outcome (a tie keeps Equal Shares)."""
        return self.prefer_greedy > self.prefer_mes


def compare_outcomes(election: Election, mes: tuple[str, ...], greedy: tuple[str, ...]) -> Preference:
    """Count, over identical ballots at once, the voters who approve more of `mes` and those of `greedy`."""
    ours, theirs = set(mes), set(greedy)
    prefer_mes = prefer_greedy = 0
    for ballot, weight in election.ballot_counts.items():
        liked = [p for i, p in enumerate(ballot.projects) if ballot.points is None or ballot.points[i] > 0]
        a = sum(1 for p in liked if p in ours)
        b = sum(1 for p in liked if p in theirs)
        if a > b:
            prefer_mes += weight
        elif b > a:
            prefer_greedy += weight
    return Preference(prefer_mes, prefer_greedy)


def with_comparison(election: Election, chain: tuple[str, ...], mes: TallyResult) -> TallyResult:
    """`mes` (Equal Shares with Add1), or greedy's outcome under the same rule name when more voters prefer it."""
    plain = greedy(election, chain)
    preference = compare_outcomes(election, mes.selected, plain.selected)
    facts = {"prefer_mes": preference.prefer_mes, "prefer_greedy": preference.prefer_greedy,
             "kept": "greedy" if preference.keeps_greedy else "equalshares"}
    kept = plain if preference.keeps_greedy else mes
    return kept.replace(rule=mes.rule, facts={**mes.facts, **kept.facts, "comparison": facts})
