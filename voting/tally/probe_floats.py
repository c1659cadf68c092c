"""The floats of a probe (`voting.tally.mes_probe`): every voter's money, a bound on its error, and the two things
a probe does with them, pricing a project and paying for it, each decision proven or given up on.

`Floats.price` and `Floats.pay` in numpy are the definition. `CompiledFloats` runs the same float operations in the
same order, compiled (voting/tally/_probe.c, built by hatch_build.py where a C compiler is), so it returns the
same floats bit for bit (tests/unit/tally/test_tally_probe_kernel.py) without numpy's cost per call on short
arrays: a probe prices some 117 projects, each in about 20 numpy calls.
"""

from __future__ import annotations

import os
from fractions import Fraction

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

    from voting.tally.equalshares import MesProfile

__all__ = ["ULP", "CompiledFloats", "Floats", "GiveUp", "floats", "kernel"]

ULP = 2.0**-52
_TINY = 2.0**-1000  # what a voter who may not be broke holds at least
_WIDEST = 1e-9  # a price known less tightly than this (relative) gives up


class GiveUp(Exception):
    """An interval could not decide what the exact run decides."""


def equal_share(cost: float, payers: int) -> tuple[float, float, float, Fraction]:
    """A price known to be exactly cost / payers: the float, bounds around it (it is within two roundings of the
    exact share: the cost's and the division's) and the exact key, 1 / payers (price per unit of cost)."""
    share = cost / payers
    return share, share * (1 - 4 * ULP), share * (1 + 4 * ULP), Fraction(1, payers)


# numpy's functions the probe calls hundreds of thousands of times on short arrays, where the call is the cost:
# bound once, when the first probe runs (not at import: the command line starts without numpy). np.add.reduce of
# a contiguous float64 array is what `sum` calls, the same pairwise summation.
_add: Any = None
_least: Any = None
_lesser: Any = None
_greater: Any = None
_count: Any = None
# The compiled loops (voting/tally/_probe.c, _chord.c), by module name; False where they were not built. Tests set
# `compiled` to False to run the numpy code, as GREENBALLOT_NUMPY_ONLY=1 does for a whole process.
_modules: dict[str, Any] = {}
compiled = not os.environ.get("GREENBALLOT_NUMPY_ONLY")


def _bind_numpy() -> None:
    global _add, _least, _lesser, _greater, _count
    import numpy as np

    _add, _least, _lesser, _greater, _count = np.add.reduce, np.minimum.reduce, np.minimum, np.maximum, np.count_nonzero


def kernel(name: str = "_probe") -> Any:
    """The compiled loops `voting.tally.<name>` (`_probe`: this module's; `_chord`: the chord proof's) where they
    were built from the sources beside them, give numpy's floats on a few checks (`_agrees`), and `compiled` is
    on; else None (the numpy code runs)."""
    if _count is None:
        _bind_numpy()
    if name not in _modules:
        import importlib

        module: Any
        try:
            module = importlib.import_module(f"voting.tally.{name}")
        except ImportError:
            module = False
        _modules[name] = module and _current(module, name) and _agrees(module, name) and module
    return _modules[name] if compiled and _modules[name] else None


def _current(module: Any, name: str) -> bool:
    """Whether the module was compiled from the sources beside it (a build left over from older sources is not
    run; without the sources, as in a wheel stripped of them, there is nothing to compare)."""
    import hashlib
    from pathlib import Path

    here = Path(__file__).parent
    try:
        digest = hashlib.sha256((here / "_kernel.h").read_bytes() + (here / f"{name}.c").read_bytes())
    except OSError:
        return True
    return bool(getattr(module, "SOURCES", None) == digest.hexdigest()[:16])


class _Stub:
    """A profile just big enough for `Floats` (for `_agrees`)."""

    def __init__(self, np: Any, voters: int, supporters: list[Any], costs: list[int]) -> None:
        from voting.tally.mes_probe import sum_bound

        self.voters, self.cost = voters, costs
        self._facts = [(s, len(s), float(c), sum_bound(len(s))) for s, c in zip(supporters, costs, strict=True)]

    def facts(self) -> list[tuple[Any, int, float, float]]:
        return self._facts


def _agrees(module: Any, name: str) -> bool:
    """Whether the compiled loops give numpy's floats on a few fixed cases: sums of every length that numpy's
    pairwise summation treats its own way (blocks of 8 and 128, halves, numpy's older 8,192-term buffers), prices
    and payments (a compiler that fused a multiply and an add, or numpy summing otherwise, would show here)."""
    import numpy as np

    gen = np.random.default_rng(20261203)
    if name == "_chord":
        from voting.tally.add1_bounds import Bounds, CompiledBounds

        n = 300
        ref = Bounds(np, n, 100.0, 130.0)
        ref.x, ref.y = gen.uniform(0, 100, n), gen.uniform(0, 130, n)
        ref.below, ref.above = gen.uniform(0, 1e-6, n), gen.uniform(0, 1e-6, n)
        fast = CompiledBounds.of(np, ref, module)
        for _ in range(3):
            idx = np.flatnonzero(gen.random(n) < 0.6)
            args = (*gen.uniform(0, 100, 2), *gen.uniform(0, 1e-6, 3))
            ref.pay(np, idx, *args)
            fast.pay(np, idx, *args)
        return bool(np.array_equal(fast.b, np.column_stack([ref.x, ref.y, ref.below, ref.above])))
    for n in (0, 1, 7, 8, 9, 127, 128, 129, 1000, 8191, 8192, 8193, 20_011):
        values = gen.uniform(0, 1e4, n) * 10.0 ** gen.integers(-3, 4, n)
        if module.sum(values) != _add(values):
            return False
    voters = 20_000
    supporters = [np.flatnonzero(gen.random(voters) < share) for share in (0.02, 0.3, 0.6, 0.97)]
    stub: Any = _Stub(np, voters, supporters, [400_000, 4_000_000, 9_000_000, 15_000_000])
    plain, made = Floats(stub, 1000), CompiledFloats(stub, 1000, module)
    for i in [1, 2, 3, 0, 2, 3, 1, 3]:
        try:
            got = plain.price(i, 0.0)
        except GiveUp:
            got = None
        try:
            mine = made.price(i, 0.0)
        except GiveUp:
            mine = None
        if got != mine:
            return False
        if got is not None:
            plain.pay(got[0], got[1], got[2], i)
            made.pay(got[0], got[1], got[2], i)
    return bool(np.array_equal(made.purse[:, 0], plain.money) and np.array_equal(made.purse[:, 1], plain.err))


def floats(prof: MesProfile, per_voter: int) -> Floats:
    """Every voter holding this whole start budget, with the compiled loops where they were built (and `compiled`
    is on)."""
    return CompiledFloats(prof, per_voter) if kernel() else Floats(prof, per_voter)


class Floats:
    """The money of one probe. Each voter's float money is within `err` (per voter, at most `most_err`) of the
    exact money, and is exactly 0.0 only for voters who are exactly broke (a voter who may hold a little keeps
    at least the smallest float)."""

    def __init__(self, prof: MesProfile, per_voter: int) -> None:
        import numpy as np

        self.np, self.prof = np, prof
        self.per_voter, self.start = per_voter, float(per_voter)  # a whole start budget, exact as a float
        self._hold(np, prof.voters)
        self.most_err = 0.0
        self.facts = prof.facts()

    def _hold(self, np: Any, voters: int) -> None:
        """Every voter holding the start budget, with no error."""
        self.money = np.full(voters, self.start)
        self.err = np.zeros(voters)

    def price(self, i: int, at_least: float) -> tuple[float, float, float, Fraction | None] | None:
        """Project i's price per unit of utility: (float, proven lower bound, proven upper bound, its key when
        known exactly), or None when its supporters provably cannot pay it; gives up when neither is proven.

        While no supporter has paid anything, all hold the start budget b exactly: the price is cost / k when
        k * b covers the cost, and its key (price per unit of cost) exactly 1 / k, so that projects with as many
        supporters tie exactly, as in the exact run, and the tie-break decides.

        The float water level p is found by passes over the supporters: with P those whose float money is below
        p (compared exactly), p = (cost - their money) / the others (`rich`), until P no longer grows. Then
        g(q) = sum(min(money, q)) is within `rounding` of the cost at p (the float sum's and the division's
        errors), and within `slack` of the exact money's g on [p - w, p + w]: the errors of the voters below
        p + w + most_err (richer ones give q either way). Going down by w lowers g by w per rich voter; going up
        by w raises it by w per voter richer than p + w. So once those changes pass slack + rounding, the exact
        price lies in [p - w, p + w]."""
        np, prof = self.np, self.prof
        sup, k, cost, fuzz = self.facts[i]
        x = self.money.take(sup)
        held = float(_add(x))
        c_hi, c_lo = cost * (1 + ULP), cost * (1 - ULP)  # the exact cost lies in between
        if held * (1 + fuzz) + k * self.most_err < c_lo:
            return None  # (most often: many projects drop out during a run, each checked once)
        e = self.err.take(sup)
        slack = float(_add(e)) * (1 + fuzz)
        if slack == 0 and float(_least(x)) == self.start:  # nobody has paid yet: exact
            if k * self.per_voter < prof.cost[i]:
                return None
            return equal_share(cost, k)
        if held * (1 + fuzz) + slack < c_lo:
            return None
        if held * (1 - fuzz) - slack < c_hi:
            raise GiveUp  # its supporters may just cover it, or just not
        # water-filling passes rise to the level from any start below it: from a lower bound on the price
        # (what the voters below p hold is read off sum(min(money, p)), which avoids copying them out: its
        # error is at most fuzz of that sum plus an ulp or two of the product taken off)
        p, poor = max(cost / k, at_least), -1
        for _ in range(40):
            below = int(_count(x < p))
            if below == poor:
                break  # p was computed from exactly the voters below it (and `spent` is what they hold)
            if below < poor or below == k:  # rising from below, the set of the poor only grows: rounding
                raise GiveUp  # pushed a level past a voter's money (or past everyone's)
            poor = below
            covered = float(_add(_lesser(x, p))) if poor else 0.0
            spent = covered - p * (k - poor) if poor else 0.0
            p = (cost - spent) / (k - poor)
        else:
            raise GiveUp
        rich = k - poor
        if poor == k - int(_count(x)):  # the poor are exactly those who hold nothing: maybe exact
            if float(np.min(x - e, where=x > 0, initial=np.inf)) > cost / rich * (1 + 8 * ULP):
                # every other supporter surely holds more than the share: they all pay it, exactly cost / rich,
                # and the key is exactly 1 / rich (so that exact ties stay ties, and the tie-break decides)
                return equal_share(cost, rich)
        rounding = 2 * (fuzz + 2 * ULP) * (cost + covered) + 4 * ULP * cost
        w = 2 * (rounding + slack) / rich + 4 * ULP * p  # a first try, with every supporter's error
        for _ in range(4):
            under = x < p + w + self.most_err  # (the sum's rounding leaves out at most half an ulp of a voter)
            near = int(_count(under)) - poor
            slack = float(_add(e * under)) * (1 + fuzz)
            if 2 * near > rich:
                raise GiveUp
            need = 2 * (rounding + slack) / rich + 4 * ULP * p
            if need <= w:  # the voters counted for w include those for need: need is proven too
                if 2 * need > _WIDEST * p:
                    raise GiveUp
                return p, p - need, p + need, None
            w = need
        raise GiveUp

    def pay(self, p: float, low: float, high: float, i: int) -> None:
        """The supporters of project i pay p each, or all they have. |max(0, m - p) - max(0, m* - q)| is at most
        |m - m*| + |p - q| plus the subtraction's rounding; a voter clearly short of the price holds exactly 0
        afterwards, as in the exact run."""
        sup = self.facts[i][0]
        d = self.money.take(sup)
        d -= p
        grown = max(p - low, high - p) + 2 * ULP * (self.start + p) + _TINY
        e = self.err.take(sup)
        e += grown
        keeps = d >= -2 * e  # (times 1 or 0: exact)
        _greater(d, _TINY, out=d)
        d *= keeps
        e *= keeps
        self.money[sup] = d
        self.err[sup] = e
        self.most_err += grown


class CompiledFloats(Floats):
    """`Floats` with `price` and `pay` compiled (voting/tally/_probe.c): the same float operations in the same order,
    so the same results bit for bit, without numpy's cost per call. Each voter's money and its error sit side by
    side in `purse` (n by 2), read together."""

    def __init__(self, prof: MesProfile, per_voter: int, module: Any = None) -> None:
        super().__init__(prof, per_voter)
        self.k = module or kernel()

    def _hold(self, np: Any, voters: int) -> None:
        self.purse = np.zeros((voters, 2))
        self.purse[:, 0] = self.start

    def price(self, i: int, at_least: float) -> tuple[float, float, float, Fraction | None] | None:
        sup, k, cost, fuzz = self.facts[i]
        code, a, low, high = self.k.price(self.purse, sup, cost, fuzz, self.most_err, self.start, at_least)
        if code == 4:  # a float price within [low, high]
            return a, low, high, None
        if code == 0:  # its supporters surely cannot pay it
            return None
        if code == 1:
            raise GiveUp
        if code == 2:  # nobody has paid yet: exact
            return None if k * self.per_voter < self.prof.cost[i] else equal_share(cost, k)
        return equal_share(cost, a)  # the supporters who hold anything all pay the equal share, exactly

    def pay(self, p: float, low: float, high: float, i: int) -> None:
        self.most_err += self.k.pay(self.purse, self.facts[i][0], p, low, high, self.start)
