"""The float probe Add1's search runs (`voting.tally.mes_probe`): when it answers, it is the exact run.

A probe must buy exactly what the exact run buys, in the same order, bound every winner's exact price within
its `doubt`, and bound its margins on the safe side (the winner's key from above). When floats cannot prove a
decision it must give up rather than guess.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.tally import Ballot, Election, Project, VoteType, parse_pabulib
from voting.tally.equalshares import MesProfile
from voting.tally.mes_probe import Probe

CHAIN = ("min-cost", "max-votes", "lexico")
DATA = Path(__file__).resolve().parents[2] / "data" / "pabulib"


def _same_as_exact(prof: MesProfile, budget: int) -> Probe | None:
    probe = prof.probe(Fraction(budget))
    exact = prof.run(Fraction(budget), margins=True, held=False)
    if probe is None:
        return None
    assert probe.winners == exact.winners
    for mine, theirs, margin, key in zip(probe.rounds, exact.rounds, probe.margins, exact.margins, strict=True):
        assert abs(Fraction(mine.price) - theirs.price) <= Fraction(mine.doubt), (mine.price, mine.doubt, theirs.price)
        assert mine.doubt <= 1e-9 * mine.price
        assert margin.winner == key.winner and margin.price >= key.price
    return probe


@st.composite
def elections(draw: st.DrawFn) -> tuple[Election, int]:
    """Up to 8 projects and 200 voters on up to 12 distinct approval ballots, and a whole start budget."""
    n = draw(st.integers(2, 8))
    projects = [Project(f"p{i}", Fraction(draw(st.integers(50, 5000)))) for i in range(n)]
    ids = [p.id for p in projects]
    templates = draw(st.lists(st.lists(st.sampled_from(ids), unique=True, min_size=1, max_size=n),
                              min_size=1, max_size=12))
    ballots = [Ballot(tuple(t)) for t in templates for _ in range(draw(st.integers(1, 20)))]
    return Election.build(projects, 1000, VoteType.APPROVAL, ballots), draw(st.integers(1, 3000))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_a_probe_that_answers_is_the_exact_run(case: tuple[Election, int]) -> None:
    election, budget = case
    _same_as_exact(MesProfile(election, CHAIN), budget)


@pytest.mark.parametrize("name", ["Switzerland_Zurich_SN", "Poland_Swiecie_2023", "Netherlands_Amsterdam_643"])
def test_probes_answer_on_real_files_and_match_the_exact_run(name: str) -> None:
    """On real files the probe answers (it is not a test that passes by always giving up) and agrees."""
    election = parse_pabulib((DATA / f"{name}.pb").read_text(encoding="utf-8")).election()
    prof = MesProfile(election, CHAIN)
    first = int(election.budget // election.voters) + 1
    answered = [_same_as_exact(prof, first + 7 * j) for j in range(12)]
    assert sum(p is not None for p in answered) >= 10
    assert any(p is not None and p.rounds for p in answered)


def test_a_tie_makes_the_probe_give_up() -> None:
    """Two projects with the same cost and supporters tie in every round: floats cannot order them, the exact
    run does (by the tie-break), so the probe gives up instead of guessing."""
    projects = [Project("a", Fraction(300)), Project("b", Fraction(300))]
    ballots = [Ballot(("a", "b"))] * 10
    prof = MesProfile(Election.build(projects, 600, VoteType.APPROVAL, ballots), CHAIN)
    assert prof.probe(Fraction(60)) is None
    assert prof.run(Fraction(60)).winners == ["a", "b"]


def test_a_cost_its_supporters_exactly_cover_makes_the_probe_give_up() -> None:
    """Supporters holding exactly the cost can pay it; floats cannot prove that, so the probe gives up."""
    prof = MesProfile(Election.build([Project("a", Fraction(300))], 300, VoteType.APPROVAL, [Ballot(("a",))] * 10),
                      CHAIN)
    assert prof.probe(Fraction(30)) is None
    assert prof.run(Fraction(30)).winners == ["a"]
    probe = prof.probe(Fraction(31))
    assert probe is not None and probe.winners == ["a"]


def test_cumulative_ballots_and_fractional_budgets_take_the_exact_run() -> None:
    projects = [Project("a", Fraction(300))]
    prof = MesProfile(Election.build(projects, 300, VoteType.CUMULATIVE, [Ballot(("a",), (2,))] * 10), CHAIN)
    assert prof.probe(Fraction(40)) is None
    prof = MesProfile(Election.build(projects, 300, VoteType.APPROVAL, [Ballot(("a",))] * 10), CHAIN)
    assert prof.probe(Fraction(81, 2)) is None
