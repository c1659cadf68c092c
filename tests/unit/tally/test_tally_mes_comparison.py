"""`equalshares/add1-comparison`: Equal Shares with Add1 unless strictly more voters prefer greedy's outcome."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.tally import Ballot, Election, Project, VoteType, tally
from voting.tally.mes_comparison import compare_outcomes


def plain_preference(election: Election, mes: tuple[str, ...], greedy: tuple[str, ...]) -> tuple[int, int]:
    """The checker's loop, voter by voter: how many approved winners each voter has in each outcome."""
    prefer_mes = prefer_greedy = 0
    for ballot in election.ballots:
        a = len([p for p in ballot.projects if p in mes])
        b = len([p for p in ballot.projects if p in greedy])
        prefer_mes += a > b
        prefer_greedy += b > a
    return prefer_mes, prefer_greedy


@st.composite
def elections(draw: st.DrawFn) -> Election:
    n = draw(st.integers(1, 6))
    projects = [Project(f"p{i}", Fraction(draw(st.integers(1, 12)))) for i in range(n)]
    ids = [p.id for p in projects]
    ballots = [Ballot(tuple(draw(st.lists(st.sampled_from(ids), unique=True, max_size=n))))
               for _ in range(draw(st.integers(1, 9)))]
    return Election.build(projects, draw(st.integers(1, 30)), VoteType.APPROVAL, ballots)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_the_comparison_is_the_plain_definition(election: Election) -> None:
    mes = tally(election, "equalshares/add1").selected
    greedy = tally(election, "greedy").selected
    preference = compare_outcomes(election, mes, greedy)
    assert (preference.prefer_mes, preference.prefer_greedy) == plain_preference(election, mes, greedy)
    result = tally(election, "equalshares/add1-comparison")
    assert result.selected == (greedy if preference.prefer_greedy > preference.prefer_mes else mes)
    assert result.rule == "equalshares/add1-comparison"
    assert result.facts["comparison"]["kept"] == ("greedy" if result.selected != mes else "equalshares")


def test_greedy_is_kept_when_more_voters_prefer_it() -> None:
    # two voters, 5 each: Equal Shares buys the cheap shared "c" and neither 6-unit project (each has one
    # supporter with 4 left, and Add1 cannot lift them without overspending); greedy adds "a": one voter
    # approves more of greedy's outcome, nobody more of Equal Shares'
    projects = [Project("a", Fraction(6)), Project("b", Fraction(6)), Project("c", Fraction(1))]
    election = Election.build(projects, 10, VoteType.APPROVAL, [Ballot(("a", "c")), Ballot(("b", "c"))])
    assert tally(election, "equalshares/add1").selected == ("c",)
    result = tally(election, "equalshares/add1-comparison")
    assert set(result.selected) == {"a", "c"}
    assert result.facts["comparison"] == {"prefer_mes": 0, "prefer_greedy": 1, "kept": "greedy"}


def test_a_tie_keeps_equal_shares() -> None:
    projects = [Project("a", Fraction(6)), Project("b", Fraction(3)), Project("c", Fraction(3))]
    ballots = [Ballot(("a", "c"))] * 2 + [Ballot(("b",))] * 2
    election = Election.build(projects, 9, VoteType.APPROVAL, ballots)
    mes = tally(election, "equalshares/add1").selected
    result = tally(election, "equalshares/add1-comparison")
    assert result.facts["comparison"]["prefer_mes"] == result.facts["comparison"]["prefer_greedy"]
    assert result.selected == mes
