"""Add1's second jump proof: between two runs with the same purchases, money stays near its chord.

Along a fixed sequence of purchases W, voters who support the same projects of W (an "atom") hold the same
money at every start budget b. Between the runs at `lo` and `hi` (b = lo + t * (hi - lo), t in [0, 1]), the
proof keeps for every atom the chord of its money (the straight line between its money at lo and at hi) and
bounds `below` and `above` on how far the money strays under and over that chord in between. At the start
every voter holds b: the chord is exact. Each round, for the winner w:

* its price is at most chord + `up`: water-filling with every atom's money lowered by `below` covers the
  cost at both ends, and money lowered that way is a concave function of t, so it covers the cost in between;
* its price is at least chord - `down`: for any set P of atoms, price >= (cost - money of P) / (voters not
  in P), which is affine in the chords (P = those paying all they have at lo, then at hi, and their mix);
* money after paying, max(0, money - price), is near the chord of its values at both ends: the bounds above
  add up, and an atom that pays all it has at one end only adds the depth of that kink (under the chord).

A rival r cannot win round t anywhere in between if its price's lower bound (the same partition bound, with
money raised by `above`) divided by its cost stays above the winner's upper bound divided by the winner's cost
at both ends (both are affine in t). Rivals that the monotone proof (`add1._same_path`) already puts above the
winner need no check, nor those the run at `hi` found unaffordable (unaffordable below it too: money only
grows with b along W). Each check is affine in t; one that fails at one end only (a rival just overtaken at
`lo`, or about to overtake at `hi`: the gap there is tiny, and the bounds' slack is not) still holds from where
it crosses 0 to the other end. The budgets where every check holds are proven; the few between the failing end
and the crossing are proven apart, by the same proof from a run that buys W in turn at the crossing
(`mes_probe.along`, which prices no rival: the proofs on both sides check them all). Floats are used
throughout, every water level with a bound on its rounding, and every comparison needs a relative margin of
1e-9 (rounding is about 1e-13 here), so float rounding cannot make a false proof. Approval ballots only
(cumulative ones keep the monotone proof).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from voting.tally.add1_atoms import Atoms, water_level
from voting.tally.mes_price import rounding_bound

if TYPE_CHECKING:
    from voting.tally.equalshares import MesProfile
    from voting.tally.mes_probe import Probe
    from voting.tally.mes_types import MesOutcome

__all__ = ["ChordProof"]

_TOL = 1e-9  # relative margin every comparison needs
_CUTS = 2  # how deep a range that fails at one end is cut (each cut costs a run along the purchases and a proof)


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


class _Bounds:
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


class ChordProof:
    """Proves that the runs at two start budgets buy the same projects at every budget in between."""

    def __init__(self, prof: MesProfile) -> None:
        import numpy as np

        self.np, self.prof = np, prof
        self._atoms: dict[tuple[int, ...], Atoms] = {}

    def atoms_of(self, order: tuple[int, ...]) -> Atoms:
        """The voters grouped by which of these projects they support (made once per set of projects)."""
        key = tuple(sorted(order))
        atoms = self._atoms.get(key)
        if atoms is None:
            if len(self._atoms) > 64:
                self._atoms.clear()
            atoms = self._atoms[key] = Atoms(self.np, self.prof, key)
        return atoms

    def proves(self, low: MesOutcome | Probe, high: MesOutcome | Probe) -> bool:
        """True when every start budget between low's and high's buys the same projects (approval only)."""
        prof = self.prof
        if prof.cumulative or len(low.margins) != len(high.margins) or len(high.rivals) != len(high.margins):
            return False
        order = tuple(m.winner for m in low.margins)
        if order != tuple(m.winner for m in high.margins):
            return False
        rank = prof.tie_rank
        close: list[list[int]] = []  # per round, the rivals the monotone proof leaves
        for mine, (keys, unseen) in zip(low.margins, high.rivals, strict=True):
            w = mine.winner
            if unseen is not None and unseen <= mine.price:
                return False
            close.append([r for r, key in keys.items()
                          if r != w and (key <= mine.price if rank[r] < rank[w] else key < mine.price)])
        last = max((t for t, rivals in enumerate(close) if rivals), default=-1)  # later rounds need nothing
        ends_lo = [(float(r.price), r.doubt) for r in low.rounds[: last + 1]]
        ends_hi = [(float(r.price), r.doubt) for r in high.rounds[: last + 1]]
        atoms = self.atoms_of(order)  # (grouped by all the purchases: shared by every range with the same set)
        lo, hi = Fraction(low.per_voter), Fraction(high.per_voter)
        if lo.denominator != 1 or hi.denominator != 1:  # (cuts are made at whole budgets only: none here)
            return self._along(atoms, order[: last + 1], close, lo, hi, ends_lo, ends_hi) == []
        return self._cut(atoms, order[: last + 1], close, int(lo), int(hi), ends_lo, ends_hi, _CUTS)

    def _cut(self, atoms: Atoms, order: tuple[int, ...], close: list[list[int]], lo: int, hi: int,
             ends_lo: list[tuple[float, float]], ends_hi: list[tuple[float, float]], cuts: int) -> bool:
        """The chord proof from lo to hi along `order` (each end's prices and their doubts given).

        A rival's check is an affine function of the budget; one that fails at one end only (a rival close
        there: just overtaken at lo, about to overtake at hi) still holds from where it crosses 0 to the other
        end. So the proof holds on the budgets [a, z] where every check holds, and the ranges [lo, a] and [z, hi]
        are proven apart (up to `cuts` deep), from a run that buys `order` in turn at a and at z (proven in
        floats, `mes_probe.along`: no rival is priced there, as the proofs on both sides check them all; and the
        purchases at a and z are those of `order`, since the proof holds there).

        That is sound because the chord bounds hold for the money along `order` at every budget from lo to hi,
        whatever MES buys there: where every check holds, `order` is what it buys; every rival the monotone
        argument left out of `close` stays above the winner on any part of the range (its key at hi is above the
        winner's at lo), and one unaffordable at hi is so below."""
        fails = self._along(atoms, order, close, lo, hi, ends_lo, ends_hi)
        if fails is None:
            return False
        if not fails:
            return True
        span = hi - lo
        if not cuts or span < 2:
            return False

        def holds(b: int) -> bool:  # (in exact arithmetic: a float could round a value just under 0 up)
            return all(Fraction(d0) * (hi - b) + Fraction(d1) * (b - lo) > 0 for d0, d1 in fails)

        # where every check holds: after the crossings of those failing at lo, before those failing at hi
        start = max((-d0 / (d1 - d0) for d0, d1 in fails if not d0 > 0), default=0.0)
        end = min((d0 / (d0 - d1) for d0, d1 in fails if not d1 > 0), default=1.0)
        a = lo if start == 0 else min(hi, lo + int(start * span) + 1)
        z = hi if end == 1 else max(lo, lo + int(end * span))
        while a <= z and not holds(a):
            a += 1
        while z >= a and not holds(z):
            z -= 1
        if a > z or a == hi or z == lo:  # (holding only at an end already known proves nothing new)
            return False
        from voting.tally.mes_probe import along

        # prices fall as the start budget rises (along the same purchases): those at hi are lower bounds below it
        floors = [p * (1 - 1e-9) - doubt for p, doubt in ends_hi]

        def ends_at(b: int) -> list[tuple[float, float]] | None:
            rounds = along(self.prof, b, order, floors)
            return None if rounds is None else [(r.price, r.doubt) for r in rounds]

        # (a part proven apart when it has budgets strictly between its ends)
        if a - lo >= 2 and not ((ends_a := ends_at(a)) is not None
                                and self._cut(atoms, order, close, lo, a, ends_lo, ends_a, cuts - 1)):
            return False
        return hi - z < 2 or ((ends_z := ends_at(z)) is not None
                              and self._cut(atoms, order, close, z, hi, ends_z, ends_hi, cuts - 1))

    def _along(self, atoms: Atoms, order: tuple[int, ...], close: list[list[int]], lo: Fraction | int,
               hi: Fraction | int,
               ends_lo: list[tuple[float, float]],
               ends_hi: list[tuple[float, float]]) -> list[tuple[float, float]] | None:
        """The rival checks that fail at one end of the range from lo to hi along `order` (as far as it goes:
        later rounds have no close rival), each as its values at lo and at hi (affine in between: positive where
        the rival is proven above the winner); None when one fails at both ends, or the winner's price is not
        bounded. An empty list: every budget from lo to hi buys `order`."""
        np, costs = self.np, self.prof.cost_float
        bounds = _Bounds(np, len(atoms.count), float(lo), float(hi))
        fails = []
        for t, w in enumerate(order):
            sup = atoms.members(np, w)
            (p0, doubt0), (p1, doubt1) = ends_lo[t], ends_hi[t]
            doubt = max(doubt0, doubt1)  # 0 for exact runs; probes' prices are bounded
            priced = bounds.price(np, sup, atoms.count[sup], costs[w], p0, p1, doubt)
            if priced is None:
                return None
            up, down = priced
            top0, top1 = (p0 + up) / costs[w], (p1 + up) / costs[w]
            for r in close[t]:
                gaps = self._above(r, atoms, bounds, top0, top1)
                if gaps is None or math.isnan(gaps[0]) or math.isnan(gaps[1]) or not (gaps[0] > 0 or gaps[1] > 0):
                    return None  # (not bounded, not a number, or fails at both ends)
                if not (gaps[0] > 0 and gaps[1] > 0):
                    fails.append(gaps)
            bounds.pay(np, sup, p0, p1, up, down, doubt)
        return fails

    def _above(self, r: int, atoms: Atoms, bounds: _Bounds, top0: float, top1: float) -> tuple[float, float] | None:
        """How far rival r's price per unit is proven to stay above the winner's bound (top0 at lo, top1 at hi)
        with the relative margin every comparison needs, at both ends of the affine bounds (so in between too
        where both are positive); None when it is not bounded."""
        np, prof = self.np, self.prof
        idx, weight = atoms.weights(np, prof, r)
        cost = prof.cost_float[r]
        at1 = water_level(np, bounds.y[idx], weight, cost)
        if at1 is None:  # (the run at hi, or a cut's run along the purchases at a lower budget, falls short)
            held = float(weight @ (bounds.y[idx] + bounds.above[idx])) * (1 + rounding_bound(len(idx)) * 4)
            if held < cost * (1 - _TOL):  # its supporters surely cannot pay it at hi, so nowhere below
                return math.inf, math.inf
            return None
        at0 = water_level(np, bounds.x[idx], weight, cost)
        low = bounds.lower(np, idx, weight, cost, at1[0] if at0 is None else at0[0], at1[0])
        if low is None:
            return None
        return low[0] / cost - top0 * (1 + _TOL), low[1] / cost - top1 * (1 + _TOL)
