"""Sequential Phragmén (heap of load bounds, integer loads) against its definition, voter by voter in Fractions."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_tally_equalshares import near_ties

from voting.tally import Ballot, Election, Project, VoteType
from voting.tally.phragmen import phragmen
from voting.tally.tiebreak import tie_key

CHAINS = [("lexico",), ("min-cost", "lexico"), ("max-votes", "lexico")]


def reference(election: Election, chain: tuple[str, ...]) -> tuple[str, ...]:
    """The definition: every voter holds a load; the next project is one with the lowest (sum of its supporters'
    loads + cost) / supporters, ties by the chain; its supporters' loads become that value; stop when a project
    tied for the lowest does not fit what is left of the budget."""
    key = tie_key(chain, election)
    ballots = [b.projects for b in election.ballots]
    loads = [Fraction(0)] * len(ballots)
    left = election.budget
    remaining = [p for p in election.projects if not p.withdrawn and p.cost <= left]
    chosen: list[str] = []
    while remaining:
        lowest: Fraction | None = None
        tied: list[Project] = []
        for p in remaining:
            supporters = [v for v, b in enumerate(ballots) if p.id in b]
            if not supporters:
                continue
            load = (sum((loads[v] for v in supporters), Fraction(0)) + p.cost) / len(supporters)
            if lowest is None or load < lowest:
                lowest, tied = load, [p]
            elif load == lowest:
                tied.append(p)
        if lowest is None:
            tied = list(remaining)
        if any(p.cost > left for p in tied):
            break
        winner = min(tied, key=key)
        remaining.remove(winner)
        left -= winner.cost
        chosen.append(winner.id)
        if lowest is not None:
            for v, b in enumerate(ballots):
                if winner.id in b:
                    loads[v] = lowest
    return tuple(chosen)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_ties(VoteType.APPROVAL), st.sampled_from(CHAINS))
def test_phragmen_is_its_definition_on_near_ties(case: tuple[Election, Fraction], chain: tuple[str, ...]) -> None:
    election, _ = case
    assert phragmen(election, chain).selected == reference(election, chain)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcde"), unique=True, max_size=5), min_size=1, max_size=12),
       st.lists(st.sampled_from([1, 2, 3, 6]), min_size=5, max_size=5), st.integers(1, 20),
       st.sampled_from(CHAINS))
def test_phragmen_is_its_definition_with_exact_ties(ballots: list[list[str]], costs: list[int], budget: int,
                                                    chain: tuple[str, ...]) -> None:
    """Equal costs and mirrored ballots: loads tie exactly, so a tied project missed by the heap changes the result."""
    projects = [Project(pid, Fraction(cost)) for pid, cost in zip("abcde", costs, strict=True)]
    election = Election.build(projects, Fraction(budget), VoteType.APPROVAL, [Ballot(tuple(b)) for b in ballots])
    assert phragmen(election, chain).selected == reference(election, chain)
