"""The chord proof's bounds (`voting.tally.add1_chord`): every atom's money along a purchase sequence between two
start budgets, as its chord plus how far it may stray under and over it, and what the proof reads of them: a
winner's price bounds, a rival's proven distance above the winner, and the money after paying.

`Bounds` in numpy is the definition. `CompiledBounds` does the same in compiled loops (voting/tally/_chord.c,
built where a C compiler was found when installing): paying gives the very same floats; pricing sums its products
in order where numpy's `@` takes whatever order its BLAS takes, and every proven bound allows `rounding_bound` for
any order, so both are proven the same way (the water levels only pick where to look).
"""

from __future__ import annotations

import math
from typing import Any

from voting.tally.add1_atoms import water_level
from voting.tally.mes_price import rounding_bound
from voting.tally.probe_floats import kernel

__all__ = ["Bounds", "CompiledBounds", "make_bounds"]

_TOL = 1e-9  # relative margin every comparison needs (as in the chord proof)


def make_bounds(np: Any, atoms: int, lo: float, hi: float) -> Bounds:
    """Every atom holding lo at lo and hi at hi, exactly on its chord: compiled where the loops were built."""
    return CompiledBounds(np, atoms, lo, hi) if kernel("_chord") else Bounds(np, atoms, lo, hi)


def _level_above(np: Any, money: Any, weight: Any, cost: float, p: float) -> float | None:
    """An upper bound on the water level of `money` (see `_level`; money lowered by its bound may be a little
    below 0): Newton steps on sum(weight * min(money, p)), lengthened by a thousandth so as to pass the level,
    until one is checked to cover the cost (with a bound on its rounding, terms of either sign); then from
    the level found by sorting; None when neither is proven."""
    bound = rounding_bound(len(money)) * 4
    for step in range(6):
        terms = np.minimum(money, p)
        covered, doubt = float(weight @ terms), bound * float(weight @ np.abs(terms))
        if covered - doubt >= cost:
            return p
        rich = float(weight @ (money > p))  # (whole weights: exact)
        if rich <= 0:
            return None
        if step == 1:  # Newton from below is slow to pass the level: start again from the sorted water level
            level = water_level(np, money, weight, cost)
            if level is None:
                return None
            p = level[0] + level[1] + p * _TOL * 1e-3
        else:
            p += (cost - covered + 2 * doubt) / rich * (1 + 1e-3) + p * _TOL * 1e-3  # past the doubt too
    return None


def _partition(xe: Any, ye: Any, weight: Any, total: float, cost: float, poor: Any) -> tuple[float, float] | None:
    """Lower bounds at both ends on a price from the partition `poor` of its supporters (money at most xe at lo,
    ye at hi, and within the same errors of the chord in between; `total` their whole weight): price >=
    (cost - money of the poor) / the others' weight (weights are whole numbers: their sums are exact)."""
    held = weight * poor
    rich = total - float(held.sum())
    if rich <= 0:
        return None
    slack = rounding_bound(len(held)) * 4
    return (cost - float(held @ xe) * (1 + slack)) / rich, (cost - float(held @ ye) * (1 + slack)) / rich


class Bounds:
    """Chords and error bounds of every atom's money along one purchase sequence between two budgets."""

    def __init__(self, np: Any, atoms: int, lo: float, hi: float) -> None:
        self.x, self.y = np.full(atoms, lo), np.full(atoms, hi)
        self.below, self.above = np.zeros(atoms), np.zeros(atoms)  # how far money may stray under/over its chord

    def lower(self, np: Any, idx: Any, weight: Any, cost: float, p0: float, p1: float) -> tuple[float, float] | None:
        """A lower bound at both ends on a price whose ends are near p0 and p1, valid (affine) in between
        (supporters: the atoms `idx` with `weight`)."""
        x, y, err = self.x[idx], self.y[idx], self.above[idx]
        xe, ye, total = x + err, y + err, float(weight.sum())
        options = [b for b in (_partition(xe, ye, weight, total, cost, x <= p0),
                               _partition(xe, ye, weight, total, cost, y <= p1)) if b is not None]
        return max(options, key=lambda b: min(b[0] - p0, b[1] - p1)) if options else None

    def gaps(self, np: Any, idx: Any, weight: Any, cost: float, top0: float,
             top1: float) -> tuple[float, float] | None:
        """How far a rival's price per unit (supporters: the atoms `idx` with `weight`) is proven to stay above the
        winner's bound (top0 at lo, top1 at hi) with the relative margin every comparison needs, at both ends of the
        affine bounds (so in between too where both are positive); None when it is not bounded."""
        at1 = water_level(np, self.y[idx], weight, cost)
        if at1 is None:  # (the run at hi, or a cut's run along the purchases at a lower budget, falls short)
            held = float(weight @ (self.y[idx] + self.above[idx])) * (1 + rounding_bound(len(idx)) * 4)
            if held < cost * (1 - _TOL):  # its supporters surely cannot pay it at hi, so nowhere below
                return math.inf, math.inf
            return None
        at0 = water_level(np, self.x[idx], weight, cost)
        low = self.lower(np, idx, weight, cost, at1[0] if at0 is None else at0[0], at1[0])
        if low is None:
            return None
        return low[0] / cost - top0 * (1 + _TOL), low[1] / cost - top1 * (1 + _TOL)

    def price(self, np: Any, idx: Any, weight: Any, cost: float, p0: float, p1: float,
              doubt: float) -> tuple[float, float] | None:
        """How far above and below the chord of its end prices p0 and p1 (from the runs, each within `doubt` of
        the exact price) a project's price may go in between (supporters: the atoms `idx` with `weight`); None
        when the bounds give out."""
        x, y, under, over = self.x[idx], self.y[idx], self.below[idx], self.above[idx]
        top0, top1 = _level_above(np, x - under, weight, cost, p0), _level_above(np, y - under, weight, cost, p1)
        xe, ye, total = x + over, y + over, float(weight.sum())
        first = _partition(xe, ye, weight, total, cost, x <= p0)
        second = _partition(xe, ye, weight, total, cost, y <= p1)
        if top0 is None or top1 is None or first is None or second is None:
            return None
        slack = _TOL * 1e-3 * max(p0, p1) + doubt  # the end prices' conversion to floats, generously
        up = max(top0 - p0, top1 - p1, 0.0) + slack
        # the better of the two partitions at each budget: at least their mix, (1 - t) first + t second
        e10, big1 = max(p0 - first[0], 0.0), max(p1 - first[1], 0.0)
        big2, e21 = max(p0 - second[0], 0.0), max(p1 - second[1], 0.0)
        down = min(max(e10, big1), max(big2, e21), max(e10, e21) + (big1 + big2) / 4)
        return up, down + slack

    def follow(self, np: Any, idx: Any, p0: float, p1: float) -> None:
        """The money at both ends after the atoms `idx` pay p0 and p1 (or all they have), without its bounds: for
        the parting guess (`voting.tally.add1_guess`), which proves nothing."""
        self.x[idx] = np.maximum(self.x[idx] - p0, 0.0)
        self.y[idx] = np.maximum(self.y[idx] - p1, 0.0)

    def levels(self, np: Any, idx: Any, weight: Any, cost: float) -> tuple[Any, Any, float, float]:
        """A price's float water level at both ends (None where the money falls short), and the cost less the money
        at both ends (supporters: the atoms `idx` with `weight`; a guess, nothing proven)."""
        x, y = self.x[idx], self.y[idx]
        at0, at1 = water_level(np, x, weight, cost), water_level(np, y, weight, cost)
        return (None if at0 is None else at0[0], None if at1 is None else at1[0],
                cost - float(weight @ x), cost - float(weight @ y))

    def pay(self, np: Any, idx: Any, p0: float, p1: float, up: float, down: float, doubt: float) -> None:
        """Money after paying, max(0, money - price), near the chord of its values at both ends: a price up to
        `up` over its chord leaves money under the chord, one up to `down` under it leaves money over it; an
        atom paying all it has at one end only sinks under its chord by at most the kink's depth (max(0, .)
        of a line is convex); one paying all it has at both ends holds 0 or a little over. End prices off by
        up to `doubt` put the computed ends of every payer's money off by as much more (max(0, .) does not
        stretch distances): both bounds take it, as they take the subtractions' rounding."""
        x, y, under, over = self.x[idx], self.y[idx], self.below[idx], self.above[idx]
        a, b = x - p0, y - p1
        rich0, rich1 = a > 0, b > 0
        scale = max(float(x.max(initial=0.0)), float(y.max(initial=0.0)), p0, p1)
        slack = scale * _TOL * 1e-3 + doubt  # the subtractions' own rounding, generously
        below, above = under + up, over + down  # (added in the order the bounds always were: the same floats)
        bent = np.flatnonzero(rich0 != rich1)  # (few atoms: the kinks are computed for those only)
        if len(bent):
            aa, bb = np.abs(a[bent]), np.abs(b[bent])
            below[bent] += aa * bb / np.maximum(aa + bb, 1e-300)
        below += slack
        above += slack
        broke = np.flatnonzero(~(rich0 | rich1))
        if len(broke):
            below[broke] = slack
            above[broke] = np.maximum(0.0, np.maximum(a[broke], b[broke]) + over[broke] + down) + slack
        self.below[idx], self.above[idx] = below, above
        self.x[idx], self.y[idx] = np.maximum(a, 0), np.maximum(b, 0)


class CompiledBounds(Bounds):
    """`Bounds` in compiled loops: one n by 4 array (money at lo, at hi, how far under and over its chord), each
    atom's four side by side."""

    def __init__(self, np: Any, atoms: int, lo: float, hi: float, module: Any = None) -> None:
        self.b = np.zeros((atoms, 4))
        self.b[:, 0], self.b[:, 1] = lo, hi
        self.k = module or kernel("_chord")

    @classmethod
    def of(cls, np: Any, bounds: Bounds, module: Any = None) -> CompiledBounds:
        """The same bounds, compiled (for tests, and the check at load)."""
        made = cls(np, len(bounds.x), 0.0, 0.0, module)
        made.b[:] = np.column_stack([bounds.x, bounds.y, bounds.below, bounds.above])
        return made

    x = property(lambda self: self.b[:, 0])  # type: ignore[assignment]
    y = property(lambda self: self.b[:, 1])  # type: ignore[assignment]
    below = property(lambda self: self.b[:, 2])  # type: ignore[assignment]
    above = property(lambda self: self.b[:, 3])  # type: ignore[assignment]

    def gaps(self, np: Any, idx: Any, weight: Any, cost: float, top0: float,
             top1: float) -> tuple[float, float] | None:
        gaps: tuple[float, float] | None = self.k.chord_above(self.b, idx, weight, cost, top0, top1)
        return gaps

    def lower(self, np: Any, idx: Any, weight: Any, cost: float, p0: float, p1: float) -> tuple[float, float] | None:
        raise NotImplementedError("compiled bounds check rivals in `gaps`")

    def price(self, np: Any, idx: Any, weight: Any, cost: float, p0: float, p1: float,
              doubt: float) -> tuple[float, float] | None:
        got: tuple[float, float] | None = self.k.chord_price(self.b, idx, weight, cost, p0, p1, doubt)
        return got

    def pay(self, np: Any, idx: Any, p0: float, p1: float, up: float, down: float, doubt: float) -> None:
        self.k.chord_pay(self.b, idx, p0, p1, up, down, doubt)

    def follow(self, np: Any, idx: Any, p0: float, p1: float) -> None:
        # the money as `pay` leaves it; the bounds it writes beside it are not those of any proof: bounds that
        # followed money are for guesses only
        self.k.chord_pay(self.b, idx, p0, p1, 0.0, 0.0, 0.0)

    def levels(self, np: Any, idx: Any, weight: Any, cost: float) -> tuple[Any, Any, float, float]:
        got: tuple[Any, Any, float, float] = self.k.chord_levels(self.b, idx, weight, cost)
        return got
