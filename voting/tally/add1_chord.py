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
from typing import TYPE_CHECKING

from voting.tally.add1_atoms import Atoms
from voting.tally.add1_bounds import make_bounds

if TYPE_CHECKING:
    from voting.tally.equalshares import MesProfile
    from voting.tally.mes_probe import Probe
    from voting.tally.mes_types import MesOutcome

__all__ = ["ChordProof"]

_TOL = 1e-9  # relative margin every comparison needs
_CUTS = 2  # how deep a range that fails at one end is cut (each cut costs a run along the purchases and a proof)


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
        bounds = make_bounds(np, len(atoms.count), float(lo), float(hi))
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
                idx, weight = atoms.weights(np, self.prof, r)
                gaps = bounds.gaps(np, idx, weight, costs[r], top0, top1)
                if gaps is None or math.isnan(gaps[0]) or math.isnan(gaps[1]) or not (gaps[0] > 0 or gaps[1] > 0):
                    return None  # (not bounded, not a number, or fails at both ends)
                if not (gaps[0] > 0 and gaps[1] > 0):
                    fails.append(gaps)
            bounds.pay(np, sup, p0, p1, up, down, doubt)
        return fails
