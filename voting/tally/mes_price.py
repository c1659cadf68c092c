"""Equal Shares prices: a project's price per unit of utility, located with floats and then proven exactly.

The price p solves sum(min(money, p * utility)) = cost over the supporters' budget classes. Floats find it;
a bound on their rounding proves a window around it, and only the classes inside the window (or, on any
doubt, all of them) are settled with exact integers (`settle`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from operator import mul
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from voting.tally.equalshares import MesProfile

    Ints = NDArray[np.intp]

__all__ = ["Count", "Pricing", "rounding_bound", "settle"]

_SLACK = 1e-9  # relative width of the float window around a price; far above float rounding (~1e-15)


@dataclass(slots=True)
class Count:
    """A project's supporters by budget class: a key per supporter, then per group of equal keys."""

    keys: Ints  # each supporter's class (for cumulative: class * number of point levels + level)
    groups: Ints  # the distinct keys of supporters with money left
    ids: Ints  # the class of each group
    counts: Ints  # supporters in each group
    utils: Ints | None  # their utility (cumulative), None when it is 1 (approval)
    weights: Ints  # utility times count


class Pricing:
    """The pricing half of an MES run (mixed into the run, which owns the budget classes)."""

    np: Any
    prof: MesProfile
    den: int
    base: list[int]  # each project's cost in units of 1/(den / grown)
    grown: int
    vals: Any
    mults: Any
    epoch: Any
    money: Any
    estimates: dict[int, float]  # float prices `_quote` found this round

    def _values(self, ids: Ints) -> Any:
        """The exact money of these classes, in 1/den units (an object array of Python integers)."""
        return self.vals[ids] * self.mults[self.epoch[ids]]

    def _quote(self, i: int, sup: Count) -> tuple[Fraction, Fraction, tuple[int, int] | None] | None:
        """Bounds on project i's key (its price per unit of `unit`), or None if its supporters cannot pay it.

        The price per unit of utility is the p with g(p) = sum(min(money, p * utility)) = cost over the
        supporters (g rises with p): those whose money per unit of utility is below p pay all they have,
        the others p per unit. Floats find p to about 1e-13; evaluating g in floats at p * (1 -+ 1e-9),
        with a bound on the rounding, proves that p lies in between. When they cannot (a sum too close to
        the cost), the exact price comes third: (key, key, price).
        """
        np, prof = self.np, self.prof
        if not len(sup.ids):
            return None
        approx, fuzz = prof.cost_float[i], rounding_bound(len(sup.ids))
        held = self.money[sup.ids]
        total_money = float(held @ sup.counts)
        if total_money < approx * (1 - fuzz):
            return None
        p = None if total_money <= approx * (1 + fuzz) else self._estimate(sup, approx, held)
        if p is not None:
            self.estimates[i] = p  # for `_exact`, if this project may win this round
            low, high = p * (1 - _SLACK), p * (1 + _SLACK)
            utils = 1 if sup.utils is None else sup.utils
            below = float(np.minimum(held, low * utils) @ sup.counts)
            above = float(np.minimum(held, high * utils) @ sup.counts)
            if below * (1 + fuzz) < approx * (1 - fuzz) and above * (1 - fuzz) > approx * (1 + fuzz):
                unit = prof.unit[i]
                return Fraction(low) / unit, Fraction(high) / unit, None
        price = self._exact(i, sup)
        if price is None:
            return None
        unit = prof.unit[i]
        key = Fraction(price[0] * unit.denominator, price[1] * self.den * unit.numerator)
        return key, key, price

    def _estimate(self, sup: Count, approx: float, held: NDArray[np.float64]) -> float | None:
        """The price per unit of utility by float water-filling, or None when floats cannot tell.

        Start from the price if everyone paid their share; those who cannot afford it pay all they
        have, which raises the share of the others; repeat until nobody else falls short (the price
        only rises, so a few passes settle it; after 30 the floats are not trusted).
        """
        ratio = held if sup.utils is None else held / sup.utils
        spent, weights = held * sup.counts, sup.weights
        price = approx / float(weights.sum())
        poor = ratio < price
        for _ in range(30):
            rest, total = approx - float(spent[poor].sum()), float(weights[~poor].sum())
            if not (total > 0 and rest > 0):
                return None
            price = rest / total
            now = ratio < price
            if (now == poor).all():
                return price
            poor = now
        return None

    def _exact(self, i: int, sup: Count, estimate: float | None = None) -> tuple[int, int] | None:
        """The exact price per unit of utility (numerator over denominator, in 1/den units), or None.

        The classes clearly below the float estimate (`estimate`, when `_quote` made it on the same money)
        pay exactly what they hold, the few near it are settled by the exact loop (`_settle`), and the
        result is checked exactly against the float window. Any doubt falls back to the exact loop over
        every class.
        """
        np = self.np
        cost, approx, fuzz = self.base[i] * self.grown, self.prof.cost_float[i], rounding_bound(len(sup.ids))
        held = self.money[sup.ids]
        if estimate is not None:
            p: float | None = estimate
        else:
            total_money = float(held @ sup.counts)
            if total_money < approx * (1 - fuzz):
                return None
            p = None if total_money <= approx * (1 + fuzz) else self._estimate(sup, approx, held)
        if p is None:
            return self._exact_price(cost, sup)
        ratio = held if sup.utils is None else held / sup.utils
        below, above = ratio < p * (1 - _SLACK), ratio > p * (1 + _SLACK)
        poor, near = np.flatnonzero(below), np.flatnonzero(~below & ~above)
        rest = cost - int((self._values(sup.ids[poor]) * sup.counts[poor]).sum())
        total = int(sup.weights[~below].sum())
        utils = [1] * len(near) if sup.utils is None else sup.utils[near].tolist()
        items = list(zip(self._values(sup.ids[near]).tolist(), utils, sup.counts[near].tolist(), strict=True))
        rest, total = settle(rest, total, items)
        # below the window every class has less than the price, above it more: check the price is inside
        lo, hi = Fraction(p * (1 - _SLACK / 2)), Fraction(p * (1 + _SLACK / 2))
        scaled = total * self.den
        if total <= 0 or rest * lo.denominator < lo.numerator * scaled or rest * hi.denominator > hi.numerator * scaled:
            return self._exact_price(cost, sup)
        return rest, total

    def _exact_price(self, cost: int, sup: Count) -> tuple[int, int] | None:
        held = self._values(sup.ids).tolist()
        counts = sup.counts.tolist()
        utils = [1] * len(counts) if sup.utils is None else sup.utils.tolist()
        if sum(map(mul, held, counts)) < cost:
            return None
        return settle(cost, sum(map(mul, utils, counts)), list(zip(held, utils, counts, strict=True)))


def rounding_bound(terms: int) -> float:
    """A bound on the relative rounding error of a float sum of `terms` positive products (twice over)."""
    return (terms + 8) * 2.0**-52


def settle(rest: int, total: int, items: list[tuple[int, int, int]]) -> tuple[int, int]:
    """Exact water-filling: classes (money, utility, count) in order of money per utility pay all they
    have while that is below the share `rest / total`; return the share left for the others."""
    items.sort(key=lambda t: Fraction(t[0], t[1]) if t[1] != 1 else t[0])
    for v, u, k in items:
        if v * total < rest * u:
            rest -= v * k
            total -= u * k
        else:
            break
    return rest, total
