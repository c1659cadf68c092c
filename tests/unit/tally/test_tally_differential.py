"""Our rules against independent implementations: pabutools, pabulib-checker, pref_voting."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from conftest import file_params, need
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tally_oracles import checker_add1, pabutools_rule, read

from voting.tally import Ballot, Election, Project, VoteType, parse_pabulib, supports, tally

RULES = ("greedy", "equalshares", "phragmen")


def _approval_like(election: Election, rule: str) -> bool:
    if rule == "equalshares":
        return election.vote_type in (VoteType.APPROVAL, VoteType.CUMULATIVE)
    return election.vote_type is VoteType.APPROVAL


@pytest.mark.parametrize("path", file_params(slow_above=90_000))
@pytest.mark.parametrize("rule", RULES)
def test_rule_matches_pabutools_on_shared_files(path: Path | None, rule: str) -> None:
    election = parse_pabulib(read(need(path))).election()
    if not _approval_like(election, rule):
        pytest.skip(f"pabutools oracle for {rule} covers approval (and cumulative for MES) only")
    # pabutools' rules know no minimum score: the file's (Warszawa 2026: 3000) is left out on both sides
    ours = set(tally(election, rule, "lexico", threshold=0).selected)
    assert ours == pabutools_rule(election, rule, path)


@pytest.mark.parametrize("path", file_params(slow_above=10_000, heavy=("Worldwide_Mechanical_Turk_Knapsack_3",)))
def test_add1_matches_pabulib_checker_on_shared_files(path: Path | None) -> None:
    election = parse_pabulib(read(need(path))).election()
    if election.vote_type is not VoteType.APPROVAL:
        pytest.skip("pabulib-checker computes Add1 for approval ballots only")
    recorded = election.meta.get("rule", "").startswith("equalshares")
    if path is not None and not recorded and path.stat().st_size > 12_000:
        pytest.skip("pabulib-checker's Add1 takes minutes here (thousands of steps); see the benchmark")
    reference = checker_add1(election)
    if reference is None:
        pytest.skip("pabulib-checker's own tie-break leaves a tie")
    assert set(tally(election, "equalshares/add1", "min-cost,max-votes,lexico").selected) == reference


@st.composite
def elections(draw: st.DrawFn, kind: VoteType = VoteType.APPROVAL, scale: int = 1) -> Election:
    """Small elections with ties, zero-vote projects, empty ballots and projects dearer than the budget.

    `scale` multiplies costs and budget: Add1 then takes many unit steps, which its jumps skip.
    """
    n_projects = draw(st.integers(1, 6))
    costs = st.integers(1, 12 * scale)
    projects = [Project(f"p{i}", Fraction(draw(costs))) for i in range(n_projects)]
    budget = draw(st.integers(0, 30 * scale))
    ids = [p.id for p in projects]
    ballots = []
    for _ in range(draw(st.integers(1, 9))):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=n_projects))
        if kind is VoteType.CHOOSE_ONE:
            chosen = chosen[:1]
        points = tuple(draw(st.integers(1, 4)) for _ in chosen) if kind is VoteType.CUMULATIVE else None
        ballots.append(Ballot(tuple(chosen), points))
    return Election.build(projects, budget, kind, ballots)


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(elections())
def test_greedy_matches_pabutools(election: Election) -> None:
    assert set(tally(election, "greedy", "lexico").selected) == pabutools_rule(election, "greedy")


@FAST
@given(elections())
def test_equalshares_matches_pabutools(election: Election) -> None:
    assert set(tally(election, "equalshares", "lexico").selected) == pabutools_rule(election, "equalshares")


@FAST
@given(elections(VoteType.CUMULATIVE))
def test_cumulative_equalshares_matches_pabutools(election: Election) -> None:
    assert set(tally(election, "equalshares", "lexico").selected) == pabutools_rule(election, "equalshares")


@FAST
@given(elections())
def test_phragmen_matches_pabutools(election: Election) -> None:
    assert set(tally(election, "phragmen", "lexico").selected) == pabutools_rule(election, "phragmen")


@FAST
@given(elections())
def test_add1_matches_pabulib_checker(election: Election) -> None:
    reference = checker_add1(election)
    if reference is not None:
        assert set(tally(election, "equalshares/add1", "min-cost,max-votes,lexico").selected) == reference


@FAST
@given(elections())
def test_add1_jumps_agree_with_unit_steps(election: Election) -> None:
    from voting.tally.add1 import add1, add1_stepwise
    from voting.tally.equalshares import MesProfile

    prof = MesProfile(election, ("min-cost", "max-votes", "lexico"))
    fast, plain = add1(prof, election.budget), add1_stepwise(prof, election.budget)
    assert (fast.winners, fast.per_voter) == (plain.winners, plain.per_voter)


def _add1_both_ways(election: Election) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """(winners, kept per-voter budget) from Add1 with jumps and from the plain one-unit-at-a-time loop."""
    from voting.tally.add1 import add1, add1_stepwise
    from voting.tally.equalshares import MesProfile

    prof = MesProfile(election, ("min-cost", "max-votes", "lexico"))
    fast, plain = add1(prof, election.budget), add1_stepwise(prof, election.budget)
    return (fast.winners, fast.per_voter), (plain.winners, plain.per_voter)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(scale=40))
def test_add1_jumps_agree_with_unit_steps_over_wide_budgets(election: Election) -> None:
    fast, plain = _add1_both_ways(election)
    assert fast == plain


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(VoteType.CUMULATIVE, scale=40))
def test_cumulative_add1_jumps_agree_with_unit_steps(election: Election) -> None:
    fast, plain = _add1_both_ways(election)
    assert fast == plain


@st.composite
def rankings(draw: st.DrawFn) -> Election:
    n_projects = draw(st.integers(1, 5))
    projects = [Project(f"p{i}", Fraction(1)) for i in range(n_projects)]
    ids = [p.id for p in projects]
    ballots = [
        Ballot(tuple(draw(st.lists(st.sampled_from(ids), unique=True, max_size=n_projects))))
        for _ in range(draw(st.integers(1, 12)))
    ]
    return Election.build(projects, 10, VoteType.ORDINAL, ballots)


@pytest.mark.heavy
@FAST
@given(rankings())
def test_irv_matches_pref_voting(election: Election) -> None:
    from pref_voting.iterative_methods import instant_runoff
    from pref_voting.profiles_with_ties import ProfileWithTies

    index = {p.id: i for i, p in enumerate(election.projects)}
    rankings_ = [{index[pid]: r for r, pid in enumerate(b.projects, start=1)} for b in election.ballots]
    profile = ProfileWithTies(rankings_, candidates=list(index.values()))
    winners = instant_runoff(profile)
    if len(winners) == 1:
        assert tally(election, "irv", "lexico").selected == (election.projects[winners[0]].id,)


def test_every_rule_runs_where_supported() -> None:
    election = Election.build([Project("a", Fraction(1))], 1, VoteType.CHOOSE_ONE, [Ballot(("a",))])
    for rule in ("greedy", "equalshares", "phragmen", "irv", "plurality", "equalshares/add1/greedy"):
        assert supports(rule, election.vote_type)
        assert tally(election, rule).selected == ("a",)
