"""Equal Shares runs (numpy classes, float-located prices) against a plain exact implementation in fractions."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.tally import Ballot, Election, Project, VoteType, mes_price
from voting.tally.equalshares import MesProfile
from voting.tally.tiebreak import tie_key

CHAIN = ("min-cost", "max-votes", "lexico")
Rounds = list[tuple[str, Fraction, tuple[tuple[Fraction, int], ...]]]


def reference_mes(election: Election, per_voter: Fraction) -> tuple[Rounds, dict[str, Fraction]]:
    """MES written as plainly as possible: every voter's money a Fraction, every price recomputed."""
    cumulative = election.vote_type is VoteType.CUMULATIVE
    money = [per_voter if per_voter > 0 else Fraction(0)] * election.voters
    supporters: dict[str, list[tuple[int, int]]] = {p.id: [] for p in election.projects}
    for voter, ballot in enumerate(election.ballots):
        for j, pid in enumerate(ballot.projects):
            u = ballot.points[j] if ballot.points is not None else 1
            if u > 0:
                supporters[pid].append((voter, u))
    key = tie_key(CHAIN, election)
    rank = {p.id: r for r, p in enumerate(sorted(election.projects, key=key))}
    cost = {p.id: p.cost for p in election.projects}
    remaining = {p.id for p in election.projects if p.cost > 0 and not p.withdrawn and supporters[p.id]}
    rounds: Rounds = []
    while True:
        prices: dict[str, Fraction] = {}
        for pid in list(remaining):
            share = _share(cost[pid], [(money[v], u) for v, u in supporters[pid] if money[v] > 0])
            if share is None:
                remaining.discard(pid)
            else:
                prices[pid] = share / (1 if cumulative else cost[pid])
        if not prices:
            break
        best = min(prices.values())
        winner = min((pid for pid, k in prices.items() if k == best), key=rank.__getitem__)
        share = best * (1 if cumulative else cost[winner])
        paid: dict[Fraction, int] = {}
        for v, u in supporters[winner]:
            if money[v] > 0:
                pay = min(money[v], share * u)
                paid[pay] = paid.get(pay, 0) + 1
                money[v] -= pay
        remaining.discard(winner)
        rounds.append((winner, best, tuple(sorted(paid.items(), reverse=True))))
    held = {pid: sum((money[v] for v, _ in supp), Fraction(0)) for pid, supp in supporters.items()}
    return rounds, held


def _share(cost: Fraction, holders: list[tuple[Fraction, int]]) -> Fraction | None:
    """The p with sum(min(money, p * u)) = cost, or None if the holders cannot pay the cost."""
    if sum((m for m, _ in holders), Fraction(0)) < cost:
        return None
    rest, total = cost, sum(u for _, u in holders)
    for m, u in sorted(holders, key=lambda h: h[0] / h[1]):
        if m * total < rest * u:
            rest, total = rest - m, total - u
        else:
            break
    return rest / total


@st.composite
def near_ties(draw: st.DrawFn, kind: VoteType) -> tuple[Election, Fraction]:
    """Elections whose prices differ by about 1e-9 or tie exactly (floats cannot tell them apart), with many
    voters on a few ballots, fractional costs and budgets, and voters going broke, plus a start budget."""
    base = draw(st.integers(10**3, 10**9))
    n_projects = draw(st.integers(1, 6))
    projects = []
    for i in range(n_projects):
        cost = Fraction(base + draw(st.integers(0, 3)), draw(st.sampled_from([1, 1, 3, 7])))
        projects.append(Project(f"p{i}", cost * draw(st.sampled_from([1, 1, 1, 2, 5]))))
    ids = [p.id for p in projects]
    templates = draw(st.lists(st.lists(st.sampled_from(ids), unique=True, max_size=n_projects), min_size=1, max_size=4))
    ballots = []
    for _ in range(draw(st.integers(1, 40))):
        chosen = draw(st.sampled_from(templates))
        if kind is VoteType.CHOOSE_ONE:
            chosen = chosen[:1]
        points = tuple(draw(st.sampled_from([1, 2, 3, 10])) for _ in chosen) if kind is VoteType.CUMULATIVE else None
        ballots.append(Ballot(tuple(chosen), points))
    election = Election.build(projects, base * draw(st.integers(1, 4)), kind, ballots)
    if draw(st.booleans()):  # some voters can afford a share exactly, to the last unit
        per_voter = draw(st.sampled_from(projects)).cost / draw(st.integers(1, 40)) * draw(st.integers(1, 3))
    else:
        per_voter = election.budget / election.voters * Fraction(draw(st.integers(1, 40)), draw(st.integers(1, 9)))
    return election, per_voter


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(election: Election, per_voter: Fraction) -> None:
    prof = MesProfile(election, CHAIN)
    out = prof.run(per_voter, margins=True)
    rounds, held = reference_mes(election, per_voter)
    assert [(r.project, r.price / prof.unit[prof.ids.index(r.project)] if not prof.cumulative else r.price,
             r.payments) for r in out.rounds] == rounds
    assert out.held == held
    assert [(prof.ids[m.winner], m.price) for m in out.margins] == [(w, k) for w, k, _ in rounds]
    for m in out.margins:  # rivals' bounds are below their prices, but never below the winner's
        assert m.before is None or m.before > m.price
        assert m.after is None or m.after >= m.price


@SETTINGS
@given(near_ties(VoteType.APPROVAL))
def test_approval_runs_match_the_plain_exact_mes(case: tuple[Election, Fraction]) -> None:
    _check(*case)


@SETTINGS
@given(near_ties(VoteType.CUMULATIVE))
def test_cumulative_runs_match_the_plain_exact_mes(case: tuple[Election, Fraction]) -> None:
    _check(*case)


@settings(max_examples=100, deadline=None)
@given(near_ties(VoteType.CHOOSE_ONE))
def test_choose_one_runs_match_the_plain_exact_mes(case: tuple[Election, Fraction]) -> None:
    _check(*case)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_ties(VoteType.APPROVAL), near_ties(VoteType.CUMULATIVE), st.sampled_from([1e-4, 0.05, 0.4]))
def test_wide_float_windows_still_give_exact_runs(approval: tuple[Election, Fraction],
                                                  cumulative: tuple[Election, Fraction], slack: float) -> None:
    """A wider window puts many classes near the price: they are settled exactly, or the check fails and
    the plain exact loop takes over. Any window far above float rounding gives the same results."""
    with patch.object(mes_price, "_SLACK", slack):
        _check(*approval)
        _check(*cumulative)


def test_empty_and_penniless_runs() -> None:
    projects = [Project("a", Fraction(5)), Project("b", Fraction(0)), Project("c", Fraction(3))]
    election = Election.build(projects, 6, VoteType.APPROVAL, [Ballot(("a", "b")), Ballot(()), Ballot(("a",))])
    for per_voter in (Fraction(0), Fraction(-1), Fraction(1), Fraction(5, 2), Fraction(100)):
        _check(election, per_voter)


def test_a_project_its_supporters_can_just_pay_with_their_whole_start_budget_is_bought() -> None:
    """Projects that cost more than all their supporters' start budgets never enter a run; one that costs
    exactly as much does (and one a thousandth of a unit dearer does not)."""
    dear = Fraction(3001) + Fraction(1, 1000)
    projects = [Project("exact", Fraction(3000)), Project("dear", dear)]
    election = Election.build(projects, 10_000, VoteType.APPROVAL, [Ballot(("exact",)), Ballot(("dear",))] * 3)
    prof = MesProfile(election, CHAIN)
    for per_voter, bought in ((Fraction(1000), ["exact"]), (dear / 3 - Fraction(1, 10**9), ["exact"]),
                              (dear / 3, ["exact", "dear"]), (Fraction(999), [])):
        _check(election, per_voter)
        assert prof.run(per_voter).winners == bought


def test_numpy_stays_out_of_the_command_line_start() -> None:
    probe = ("import sys\nfrom voting.cli import build_parser\nimport voting.tally.equalshares, voting.tally.add1\n"
             "build_parser()\nprint('numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
