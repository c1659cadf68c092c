"""The float probe's compiled loops (voting/tally/_probe.c) return bit for bit what its numpy code returns.

`voting.tally.probe_floats.Floats.price` and `.pay` are the definition (their proofs are tested in
test_tally_mes_probe.py); `CompiledFloats` does the same float operations in the same order. These tests run both on
the same money and compare every float exactly: the probes of Hypothesis elections and of shipped files, runs
along a purchase order, and single prices on states made to sit on the edges (voters an ulp under a share, voters
holding exactly nothing, errors grown, costs just covered). Where the loops were not compiled (no C compiler when
installing) they are skipped, except in CI (GREENBALLOT_REQUIRE_KERNEL=1), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.tally import Ballot, Election, Project, VoteType, mes_probe, parse_pabulib, probe_floats
from voting.tally.equalshares import MesProfile
from voting.tally.probe_floats import CompiledFloats, Floats, GiveUp

CHAIN = ("min-cost", "max-votes", "lexico")
DATA = Path(__file__).resolve().parents[2] / "data" / "pabulib"


@pytest.fixture(scope="module", autouse=True)
def kernel() -> Iterator[Any]:
    probe_floats._bind_numpy()
    if not probe_floats._kernel:
        if os.environ.get("GREENBALLOT_REQUIRE_KERNEL"):
            pytest.fail("voting/tally/_probe.c was not compiled (pip install -e . compiles it with the C compiler)")
        pytest.skip("the probe's C loops were not compiled here")
    yield probe_floats._kernel


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
