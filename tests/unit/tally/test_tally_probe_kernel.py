"""The float probe's compiled loops (voting/tally/_probe.c) return bit for bit what its numpy code returns.

`voting.tally.probe_floats.Floats.price` and `.pay` are the definition (their proofs are tested in
test_tally_mes_probe.py); `CompiledFloats` does the same float operations in the same order. These tests run both on
the same money and compare every float exactly: the probes of Hypothesis elections and of shipped files, runs
along a purchase order, and single prices on states made to sit on the edges (voters an ulp under a share, voters
holding exactly nothing, errors grown, costs just covered). Where the loops were not compiled (no C compiler when
installing) they are skipped, except in CI (GREENBALLOT_REQUIRE_KERNEL=1), where that is a failure.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_tally_mes_probe import elections  # (the probe tests' elections: up to 8 projects, 200 voters)

from voting.tally import Ballot, Election, Project, VoteType, mes_probe, parse_pabulib, probe_floats
from voting.tally.equalshares import MesProfile
from voting.tally.probe_floats import CompiledFloats, Floats, GiveUp

CHAIN = ("min-cost", "max-votes", "lexico")
DATA = Path(__file__).resolve().parents[2] / "data" / "pabulib"


@pytest.fixture(scope="module", autouse=True)
def kernel() -> Iterator[Any]:
    """The probe's compiled loops (the chord proof's must have been built with them)."""
    if os.environ.get("GREENBALLOT_NUMPY_ONLY"):
        pytest.skip("GREENBALLOT_NUMPY_ONLY: the numpy code alone")
    probe, chord = probe_floats.kernel("_probe"), probe_floats.kernel("_chord")
    if not (probe and chord):
        if os.environ.get("GREENBALLOT_REQUIRE_KERNEL"):
            pytest.fail("voting/tally/_probe.c or _chord.c was not compiled (pip install -e . compiles them)")
        pytest.skip("the C loops were not compiled here")
    yield probe


def _both(prof: MesProfile, per_voter: int, reach: Any = ()) -> tuple[Any, Any]:
    """The probe with the numpy code and with the compiled loops."""
    out = []
    for compiled in (False, True):
        probe_floats.compiled = compiled
        try:
            out.append(prof.probe(Fraction(per_voter), reach))
        finally:
            probe_floats.compiled = True
    return out[0], out[1]


def _as_floats(probe: Any) -> Any:
    if probe is None:
        return None
    rounds = [(r.project, r.price.hex(), r.doubt.hex()) for r in probe.rounds]
    margins = [(m.winner, m.price, m.before, m.after) for m in probe.margins]
    rivals = [(sorted(keys.items()), unseen) for keys, unseen in probe.rivals]
    return rounds, margins, rivals


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_compiled_probes_are_the_numpy_probes_bit_for_bit(case: tuple[Election, int]) -> None:
    election, budget = case
    plain, compiled = _both(MesProfile(election, CHAIN), budget)
    assert _as_floats(compiled) == _as_floats(plain)


@pytest.mark.parametrize("name", ["Switzerland_Zurich_SN", "Poland_Swiecie_2023", "Netherlands_Amsterdam_643"])
def test_compiled_probes_are_the_numpy_probes_on_real_files(name: str) -> None:
    election = parse_pabulib((DATA / f"{name}.pb").read_text(encoding="utf-8")).election()
    prof = MesProfile(election, CHAIN)
    first = int(election.budget // election.voters) + 1
    answered = 0
    for j in range(8):
        plain, compiled = _both(prof, first + 11 * j)
        assert _as_floats(compiled) == _as_floats(plain)
        answered += plain is not None and bool(plain.rounds)
        if plain is not None:  # and along the same purchases, a little lower (the chord proof's cuts)
            order = tuple(prof.ids.index(r.project) for r in plain.rounds)
            floors = [0.0] * len(order)
            runs = []
            for compiled_on in (False, True):
                probe_floats.compiled = compiled_on
                try:
                    runs.append(mes_probe.along(prof, first + 11 * j - 3, order, floors))
                finally:
                    probe_floats.compiled = True
            assert [(r.project, r.price.hex(), r.doubt.hex()) for r in runs[0] or []] == \
                [(r.project, r.price.hex(), r.doubt.hex()) for r in runs[1] or []]
    assert answered >= 4  # (not a comparison of two probes that both gave up)


def _price(run: Floats, i: int, at_least: float) -> Any:
    try:
        return run.price(i, at_least)
    except GiveUp:
        return "gives up"


def _runs(prof: MesProfile, per_voter: int, money: Any, err: Any) -> tuple[Floats, CompiledFloats]:
    plain, compiled = Floats(prof, per_voter), CompiledFloats(prof, per_voter)
    plain.money[:], plain.err[:] = money, err
    compiled.purse[:, 0], compiled.purse[:, 1] = money, err
    plain.most_err = compiled.most_err = float(err.max(initial=0.0))
    return plain, compiled


@pytest.mark.parametrize("seed", range(12))
def test_single_prices_and_payments_on_edge_states_are_the_same(seed: int) -> None:
    """Money drawn to sit on the edges the proofs care about; every price (or giving up, or unaffordable) and
    every payment equal bit for bit, payment after payment."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(20, 400)), 6
    projects = [Project(f"p{i}", Fraction(int(rng.integers(10, 40 * n)))) for i in range(m)]
    ballots = [Ballot(tuple(f"p{i}" for i in range(m) if rng.random() < 0.5) or ("p0",)) for _ in range(n)]
    prof = MesProfile(Election.build(projects, 10**6, VoteType.APPROVAL, ballots), CHAIN)
    start = int(rng.integers(1, 200))
    money = np.full(n, float(start))
    kind = rng.integers(0, 4, n)
    money[kind == 1] = 0.0  # broke
    money[kind == 2] = rng.random(int((kind == 2).sum())) * start
    share = prof.cost_float[0] / max(1, len(prof.supp[0]))
    money[kind == 3] = np.nextafter(share, 0.0)  # an ulp under an equal share
    err = np.where(money > 0, rng.random(n) * 1e-12 * start * rng.integers(0, 2), 0.0)
    plain, compiled = _runs(prof, start, money, err)
    compared = 0
    for i in list(range(m)) * 3:
        for at_least in (0.0, share * 0.999, share):
            a, b = _price(plain, i, at_least), _price(compiled, i, at_least)
            assert a == b, (i, at_least, a, b)
            compared += 1
        got = _price(plain, i, 0.0)
        if isinstance(got, tuple):
            plain.pay(got[0], got[1], got[2], i)
            compiled.pay(got[0], got[1], got[2], i)
            assert np.array_equal(plain.money, compiled.purse[:, 0]) and np.array_equal(plain.err, compiled.purse[:, 1])
            assert plain.most_err == compiled.most_err
    assert compared == 3 * 3 * m


@pytest.mark.parametrize("rich", [2, 3, 7, 12, 40])
def test_prices_where_the_others_hold_just_about_the_equal_share_are_the_same(rich: int) -> None:
    """Supporters who hold exactly nothing, one a few ulps either side of cost / rich (an error of 0 or an ulp), the
    others twice that: the price is the equal share exactly only when every one of them surely holds more than it.
    Both implementations must draw that line at the same float."""
    cost = 1000.0 + rich
    projects = [Project("A", Fraction(int(cost)))]
    n = rich + 3  # (three broke)
    prof = MesProfile(Election.build(projects, 10**6, VoteType.APPROVAL, [Ballot(("A",))] * n), CHAIN)
    share = cost / rich
    kinds = set()
    for j in range(-4, 14):
        for e in (0.0, share * 2.0**-53):
            money = np.zeros(n)
            money[3], money[4:] = share * (1 + j * 2.0**-52), 2 * share
            err = np.where(money > 0, e, 0.0)
            plain, compiled = _runs(prof, 400, money, err)
            a, b = _price(plain, 0, 0.0), _price(compiled, 0, 0.0)
            assert a == b, (j, e, a, b)
            kinds.add("exact" if isinstance(a, tuple) and a[3] is not None else str(type(a)))
    assert "exact" in kinds and len(kinds) > 1  # (both sides of the line were met)


def test_the_compiled_loops_refuse_arrays_of_the_wrong_kind(kernel: Any) -> None:
    purse = np.zeros((4, 2))
    with pytest.raises(TypeError):
        kernel.price(purse.astype(np.float32), np.arange(2), 1.0, 0.0, 0.0, 1.0, 0.0)
    with pytest.raises(TypeError):
        kernel.price(purse, np.arange(2, dtype=np.int32), 1.0, 0.0, 0.0, 1.0, 0.0)
    with pytest.raises(IndexError):
        kernel.price(purse, np.array([0, 4]), 1.0, 0.0, 0.0, 1.0, 0.0)
    with pytest.raises(IndexError):
        kernel.pay(np.zeros(8), np.arange(2), 1.0, 1.0, 1.0, 1.0)
    with pytest.raises((TypeError, ValueError, BufferError)):
        kernel.pay(purse[::2], np.arange(2), 1.0, 1.0, 1.0, 1.0)
    ones, ranks = np.ones(2), np.arange(2, dtype=np.int64)
    with pytest.raises(IndexError):  # the rounds: one id short
        kernel.loop(purse, [np.arange(2), np.arange(1)], ones, ones, ranks, ranks, [(0.1, 0)], [], 1.0, 1, ["a"],
                    tuple, tuple, Fraction)
    with pytest.raises(IndexError):  # more heap entries than projects
        kernel.loop(purse, [np.arange(2), np.arange(1)], ones, ones, ranks, ranks, [(0.1, 0)] * 3, [], 1.0, 1,
                    ["a", "b"], tuple, tuple, Fraction)
    with pytest.raises(IndexError):  # a project out of range in the heap
        kernel.loop(purse, [np.arange(2), np.arange(1)], ones, ones, ranks, ranks, [(0.1, 5)], [], 1.0, 1,
                    ["a", "b"], tuple, tuple, Fraction)


# ---- the chord proof's bounds (voting.tally.add1_bounds): numpy's `Bounds` and `CompiledBounds`


def _random_bounds(gen: Any, n: int) -> Any:
    from voting.tally.add1_bounds import Bounds

    bounds = Bounds(np, n, 100.0, 130.0)
    bounds.x, bounds.y = gen.uniform(0, 100, n), gen.uniform(0, 130, n)
    bounds.x[gen.random(n) < 0.1] = 0.0  # some atoms broke at one end or both
    bounds.y[gen.random(n) < 0.05] = 0.0
    bounds.below, bounds.above = gen.uniform(0, 1e-6, n), gen.uniform(0, 1e-6, n)
    return bounds


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_the_compiled_chord_payment_gives_the_same_floats(seed: int) -> None:
    from voting.tally.add1_bounds import CompiledBounds

    gen = np.random.default_rng(seed)
    n = int(gen.integers(1, 80))
    plain = _random_bounds(gen, n)
    compiled = CompiledBounds.of(np, plain)
    idx = np.flatnonzero(gen.random(n) < 0.6)
    p0, p1 = float(gen.uniform(0, 100)), float(gen.uniform(0, 100))
    up, down, doubt = (float(v) for v in gen.uniform(0, 1e-6, 3))
    plain.pay(np, idx, p0, p1, up, down, doubt)
    compiled.pay(np, idx, p0, p1, up, down, doubt)
    for got, want in ((compiled.x, plain.x), (compiled.y, plain.y), (compiled.below, plain.below),
                      (compiled.above, plain.above)):
        assert np.array_equal(got, want)


def _close(a: Any, b: Any, scale: float) -> bool:
    """Both None, or equal within a trillionth of the prices at stake (a wrong formula is off by far more)."""
    if a is None or b is None:
        return a is None and b is None
    return all(x == y or abs(x - y) <= 1e-12 * scale for x, y in zip(a, b, strict=True))


def test_the_compiled_chord_prices_and_rival_gaps_are_numpys_but_for_the_order_of_sums() -> None:
    """A winner's bounds and a rival's gaps on 300 random states: the same as numpy's but for the last bits of sums
    taken in another order (both are proven with a bound that holds for any order); None where numpy's are None.
    Not a comparison of Nones: a third of the cases or more are bounded. Then the parting guess's levels and the
    money it follows."""
    from voting.tally.add1_bounds import CompiledBounds

    priced = gapped = leveled = 0
    for seed in range(300):
        gen = np.random.default_rng(seed)
        n = int(gen.integers(1, 120))
        plain = _random_bounds(gen, n)
        compiled = CompiledBounds.of(np, plain)
        idx = np.flatnonzero(gen.random(n) < 0.7)
        weight = gen.integers(1, 50, len(idx)).astype(np.float64)
        held0, held1 = float(weight @ plain.x[idx]), float(weight @ plain.y[idx])
        cost = float(gen.uniform(0.2, 1.2) * max(held0, held1, 1.0))
        share = cost / max(float(weight.sum()), 1.0)
        p0, p1 = share * float(gen.uniform(0.9, 1.5)), share * float(gen.uniform(0.8, 1.4))
        doubt = float(gen.uniform(0, 1e-9))
        mine = compiled.price(np, idx, weight, cost, p0, p1, doubt)
        assert _close(mine, plain.price(np, idx, weight, cost, p0, p1, doubt), max(p0, p1)), seed
        top0, top1 = share * float(gen.uniform(0.5, 2)) / cost, share * float(gen.uniform(0.5, 2)) / cost
        gaps = compiled.gaps(np, idx, weight, cost, top0, top1)
        assert _close(gaps, plain.gaps(np, idx, weight, cost, top0, top1), max(top0, top1)), seed
        priced += mine is not None
        gapped += gaps is not None and math.isfinite(gaps[0])
        # the parting guess's water levels and shortfalls (found without sorting: a guess, within 1e-9)
        levels, numpys = compiled.levels(np, idx, weight, cost), plain.levels(np, idx, weight, cost)
        assert [v is None for v in levels] == [v is None for v in numpys], seed
        assert all(v is None or abs(v - w) <= 1e-9 * (share + cost) for v, w in zip(levels, numpys, strict=True)), seed
        leveled += levels[0] is not None
        compiled.follow(np, idx, p0, p1)  # and the money it follows: numpy's floats
        plain.follow(np, idx, p0, p1)
        assert np.array_equal(compiled.x, plain.x) and np.array_equal(compiled.y, plain.y)
    assert priced > 100 and gapped > 100 and leveled > 100


@pytest.mark.parametrize("name", ["Poland_Swiecie_2023", "Netherlands_Assen_2024", "Switzerland_Zurich_SN"])
def test_add1_makes_the_same_runs_and_proofs_with_and_without_the_compiled_loops(name: str, monkeypatch) -> None:
    """End to end on shipped files: the same result, the same runs, the same ranges proven."""
    from voting.tally.add1 import add1
    from voting.tally.add1_chord import ChordProof

    election = parse_pabulib((DATA / f"{name}.pb").read_text(encoding="utf-8")).election()
    seen: list[tuple[Any, ...]] = []
    proves = ChordProof.proves

    def watched(self: ChordProof, low: Any, high: Any) -> bool:
        got = proves(self, low, high)
        seen.append((low.per_voter, high.per_voter, got))
        return got

    monkeypatch.setattr(ChordProof, "proves", watched)
    out = []
    for compiled in (False, True):
        seen.clear()
        monkeypatch.setattr(probe_floats, "compiled", compiled)
        kept = add1(MesProfile(election, CHAIN), election.budget)
        out.append((kept.per_voter, kept.winners, list(seen)))
    assert out[0] == out[1]
    assert any(got for _, _, got in out[1][2])  # (the chord proof was put to work)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_the_compiled_partition_bound_and_level_are_proven_in_exact_arithmetic(seed: int) -> None:
    """The two proven pieces of the compiled chord price, checked exactly on the same floats: the partition's
    lower bounds on a price, (cost - money of the poor) / the others' weight, are at most their exact value but
    for the last subtraction's and division's rounding (as numpy's, test_tally_add1.py); the water level's upper
    bound covers the cost exactly."""
    gen = np.random.default_rng(seed)
    n = int(gen.integers(1, 400))
    weight = gen.integers(1, 5000, n).astype(np.float64)
    x, y, err = gen.uniform(0, 1e5, n), gen.uniform(0, 1e5, n), gen.uniform(0, 1e-3, n)
    under = gen.uniform(0, 1e-3, n)
    cost = float(gen.uniform(0.05, 1.1) * float(weight @ y))
    p, at_hi = float(gen.uniform(0, 1e5)), bool(gen.integers(0, 2))
    bounds = np.column_stack([x, y, under, err])
    level, got = probe_floats.kernel("_chord").chord_parts(bounds, np.arange(n), weight, cost, p, at_hi)
    poor = (y if at_hi else x) <= p
    rich = sum((Fraction(float(w)) for w, q in zip(weight, poor, strict=True) if not q), Fraction(0))
    if rich == 0:
        assert got is None
    else:
        assert got is not None
        for end, money in ((got[0], x + err), (got[1], y + err)):
            held = sum((Fraction(float(w)) * Fraction(float(m)) for w, m, q in zip(weight, money, poor, strict=True)
                        if q), Fraction(0))
            exact = (Fraction(cost) - held) / rich
            assert Fraction(end) <= exact + (abs(exact) + Fraction(cost) / rich) * Fraction(1, 2**50)
    money = (y if at_hi else x) - under
    if level is not None:
        top = Fraction(level)
        assert sum((Fraction(float(w)) * min(Fraction(float(m)), top) for w, m in zip(weight, money, strict=True)),
                   Fraction(0)) >= Fraction(cost)
    elif float(weight @ money) > cost * 1.01:
        pytest.fail("no level found where the money covers the cost clearly")


def test_probes_of_many_elections_are_the_same_and_most_answer() -> None:
    """As the Hypothesis comparison, on 80 seeded elections of up to 3,000 voters (numpy's pairwise sums recurse
    past 128 terms), counting that most probes answer: not a comparison of probes that all gave up."""
    gen = np.random.default_rng(7)
    answered = reached = 0
    for _ in range(80):
        n, m = int(gen.integers(150, 3000)), int(gen.integers(3, 12))
        projects = [Project(f"p{i}", Fraction(int(gen.integers(50, 200 * n)))) for i in range(m)]
        ballots = [Ballot(tuple(f"p{i}" for i in range(m) if gen.random() < 0.35) or ("p0",)) for _ in range(n)]
        prof = MesProfile(Election.build(projects, 10**6, VoteType.APPROVAL, ballots), CHAIN)
        budget = int(gen.integers(1, 400))
        plain, compiled = _both(prof, budget)
        assert _as_floats(compiled) == _as_floats(plain)
        answered += plain is not None and len(plain.rounds) > 1
        if plain is not None:  # and a probe higher up that prices its rivals up to this one's prices (`reach`)
            reach = tuple((m.winner, m.price) for m in plain.margins)
            higher = _both(prof, budget + int(gen.integers(1, 60)), reach)
            assert _as_floats(higher[1]) == _as_floats(higher[0])
            reached += higher[0] is not None and any(len(keys) > 1 for keys, _ in higher[0].rivals)
    assert answered >= 40 and reached >= 20


def test_prices_over_more_supporters_than_numpys_old_buffers_are_the_same() -> None:
    """A project with 20,000 supporters (numpy before 2.3 summed such arrays in buffers of 8,192 terms, which the
    check at load would catch): the same prices and payments, round after round."""
    gen = np.random.default_rng(11)
    voters = 24_000
    approvals = gen.random((voters, 3)) < (0.85, 0.5, 0.4)
    ballots = [Ballot(tuple(f"p{i}" for i in range(3) if row[i]) or ("p0",)) for row in approvals]
    projects = [Project(f"p{i}", Fraction(c)) for i, c in enumerate((9_000_000, 4_000_000, 3_000_000))]
    prof = MesProfile(Election.build(projects, 10**9, VoteType.APPROVAL, ballots), CHAIN)
    assert len(prof.supp[0]) > 20_000
    for budget in (1000, 1300, 1700):
        plain, compiled = _both(prof, budget)
        assert plain is not None and len(plain.rounds) >= 2
        assert _as_floats(compiled) == _as_floats(plain)


def test_loops_built_from_other_sources_or_giving_other_floats_are_not_used(kernel: Any) -> None:
    """`kernel()` runs a module only if it was compiled from the sources beside it and gives numpy's floats on the
    check at load: a leftover build, or one whose sums or prices differ by an ulp, leaves the numpy code."""
    from types import SimpleNamespace

    assert probe_floats._current(kernel, "_probe") and probe_floats._agrees(kernel, "_probe")
    chord = probe_floats.kernel("_chord")
    assert probe_floats._current(chord, "_chord") and probe_floats._agrees(chord, "_chord")
    assert not probe_floats._current(SimpleNamespace(SOURCES="0123456789abcdef"), "_probe")

    def off_by_an_ulp(values: Any) -> float:
        total = kernel.sum(values)
        return float(np.nextafter(total, np.inf)) if len(values) > 8192 else total

    assert not probe_floats._agrees(SimpleNamespace(sum=off_by_an_ulp, price=kernel.price, pay=kernel.pay), "_probe")

    def dearer(*args: Any) -> Any:
        code, a, low, high = kernel.price(*args)
        return (code, float(np.nextafter(a, np.inf)), low, high) if code == 4 else (code, a, low, high)

    assert not probe_floats._agrees(SimpleNamespace(sum=kernel.sum, price=dearer, pay=kernel.pay), "_probe")

    def short_pay(purse: Any, sup: Any, p: float, *rest: Any) -> Any:
        return kernel.pay(purse, sup, float(np.nextafter(p, 0.0)), *rest)

    assert not probe_floats._agrees(SimpleNamespace(sum=kernel.sum, price=kernel.price, pay=short_pay), "_probe")
    assert not probe_floats._agrees(SimpleNamespace(chord_pay=lambda b, idx, p0, *rest: chord.chord_pay(
        b, idx, float(np.nextafter(p0, 0.0)), *rest)), "_chord")
