"""A Method of Equal Shares run in floats that proves its own purchases, for Add1's search (approval ballots).

Add1 (`voting.tally.add1`) runs MES at many start budgets and only needs, from each run, which projects it buys
in which order and how clearly each round was won. This run keeps every voter's money as a float and a bound
`err` on how far any float may be from the exact money. Each price is the float water level of its supporters'
money, with an interval [low, high] that is proven to hold the exact price: the sum of min(money, p) is checked
at both ends with the money's error (`err` per supporter) and a bound on the sum's rounding. Paying moves every
supporter's float by at most `err` plus the width of that interval, so `err` grows by it each round.

Every decision the exact run would make is made only when the intervals prove it: a project is unaffordable
when even its supporters' highest possible money is short of its cost, affordable when their lowest possible
money covers it, and a round's winner must have an upper bound on its price per unit below the lower bound of
every rival's (or equal to it, for rivals the tie-break puts after it). A price that is surely everyone's
equal share (the supporters short of it hold exactly nothing, the others surely more) is known exactly, and so
is its key, so exact ties stay ties for the tie-break. When an interval cannot tell (a tie between prices that
are not known exactly, a cost just covered, errors grown too wide) the probe gives up (`None`) and Add1 makes
the exact run instead (`voting.tally.mes_run`). A probe that answers buys exactly what the exact run buys, in
the same order.
"""

from __future__ import annotations

import heapq
from fractions import Fraction

from voting.tally.mes_types import Margin

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

    from voting.tally.equalshares import MesProfile
    from voting.tally.mes_types import Key, Reach

__all__ = ["Probe", "ProbeRound", "along", "probe"]

_ULP = 2.0**-52
_TINY = 2.0**-1000  # what a voter who may not be broke holds at least
_WIDEST = 1e-9  # a price known less tightly than this (relative) gives up


class ProbeRound:
    """One purchase of a probe: the project, its price per unit of utility as a float, and `doubt`, a proven
    bound on how far the exact price is from it (at most a billionth of it)."""

    __slots__ = ("project", "price", "doubt")

    def __init__(self, project: str, price: float, doubt: float) -> None:
        self.project, self.price, self.doubt = project, price, doubt


class Probe:
    """What Add1 reads of a run: the start budget, the purchases in order, their margins and rivals' keys."""

    __slots__ = ("per_voter", "rounds", "margins", "rivals")

    def __init__(self, per_voter: Fraction, rounds: list[ProbeRound], margins: list[Margin],
                 rivals: list[tuple[dict[int, Any], Any]]) -> None:
        self.per_voter, self.rounds, self.margins, self.rivals = per_voter, rounds, margins, rivals

    @property
    def winners(self) -> list[str]:
        return [r.project for r in self.rounds]


def sum_bound(terms: int) -> float:
    """A bound on the relative rounding error of numpy's float64 sum of `terms` terms of one sign.

    numpy sums a contiguous array pairwise: blocks of up to 128 terms in 8 running sums of at most 16 terms,
    added in a tree of depth 3 (with up to 7 leftovers one by one), then blocks joined in halves, one level per
    doubling. Each addition errs by at most half an ulp of the partial sum (2**-53 of the sum of magnitudes):
    at most 26 + log2(terms) of them. Twice that, for safety. (Checked against numpy 2.3's `pairwise_sum`, bit
    for bit up to 120,000 terms. It holds for contiguous arrays only, which is all this module sums: arrays
    just made by `take`, `minimum` or a product. A strided or buffered sum adds its chunks of 8,192 one by one.)"""
    return (26 + terms.bit_length()) * 2.0**-52


def _equal_share(cost: float, payers: int) -> tuple[float, float, float, Fraction]:
    """A price known to be exactly cost / payers: the float, bounds around it (it is within two roundings of the
    exact share: the cost's and the division's) and the exact key, 1 / payers (price per unit of cost)."""
    share = cost / payers
    return share, share * (1 - 4 * _ULP), share * (1 + 4 * _ULP), Fraction(1, payers)


# numpy's functions the probe calls hundreds of thousands of times on short arrays, where the call is the cost:
# bound once, when the first probe runs (not at import: the command line starts without numpy). np.add.reduce of
# a contiguous float64 array is what `sum` calls, the same pairwise summation.
_add: Any = None
_least: Any = None
_lesser: Any = None
_greater: Any = None
_count: Any = None


def _bind_numpy() -> None:
    global _add, _least, _lesser, _greater, _count
    import numpy as np

    _add, _least, _lesser, _greater, _count = np.add.reduce, np.minimum.reduce, np.minimum, np.maximum, np.count_nonzero


class _GiveUp(Exception):
    """An interval could not decide what the exact run decides."""


def probe(prof: MesProfile, per_voter: Fraction, reach: Reach = ()) -> Probe | None:
    """MES at this start budget in proven floats, or None when floats cannot prove a decision.

    As `MesProfile.run(per_voter, margins=True, held=False, reach=reach)` but cheaper: its margins are bounds
    (the winner's key from above, rivals' from below), valid for the same proofs."""
    if prof.cumulative or per_voter.denominator != 1 or per_voter > 2**52:
        return None
    try:
        return _Run(prof, int(per_voter)).loop(reach)
    except _GiveUp:
        return None


def along(prof: MesProfile, per_voter: int, order: tuple[int, ...], at_least: list[float]) -> list[ProbeRound] | None:
    """The purchases `order` made in turn at this start budget, in proven floats, whoever would win each round:
    each winner's price with its doubt (as `probe` gives them), or None when floats cannot price one or it is
    unaffordable. Nothing is said about rivals: the chord proof (`voting.tally.add1_chord`) uses this to cut a
    range it could not prove whole, at a budget between two runs that bought `order`. `at_least[t]` is a lower
    bound on round t's price (a price at a higher start budget along the same purchases, less its doubt)."""
    if prof.cumulative or per_voter > 2**52:
        return None
    run = _Run(prof, per_voter)
    rounds = []
    try:
        for i, floor in zip(order, at_least, strict=True):
            got = run.price(i, floor)
            if got is None:
                return None
            p, low, high, _ = got
            run.pay(p, low, high, i)
            rounds.append(ProbeRound(prof.ids[i], p, max(p - low, high - p)))
    except _GiveUp:
        return None
    return rounds


class _Run:
    """The floats of one probe. Each voter's float money is within `err` (per voter, at most `most_err`) of the
    exact money, and is exactly 0.0 only for voters who are exactly broke (a voter who may hold a little keeps
    at least the smallest float)."""

    def __init__(self, prof: MesProfile, per_voter: int) -> None:
        import numpy as np

        self.np, self.prof = np, prof
        self.per_voter, self.start = per_voter, float(per_voter)  # a whole start budget, exact as a float
        self.money = np.full(prof.voters, self.start)
        self.err = np.zeros(prof.voters)
        self.most_err = 0.0
        self.facts = prof.facts()
        if _count is None:  # (the last one bound)
            _bind_numpy()

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
        c_hi, c_lo = cost * (1 + _ULP), cost * (1 - _ULP)  # the exact cost lies in between
        if held * (1 + fuzz) + k * self.most_err < c_lo:
            return None  # (most often: many projects drop out during a run, each checked once)
        e = self.err.take(sup)
        slack = float(_add(e)) * (1 + fuzz)
        if slack == 0 and float(_least(x)) == self.start:  # nobody has paid yet: exact
            if k * self.per_voter < prof.cost[i]:
                return None
            return _equal_share(cost, k)
        if held * (1 + fuzz) + slack < c_lo:
            return None
        if held * (1 - fuzz) - slack < c_hi:
            raise _GiveUp  # its supporters may just cover it, or just not
        # water-filling passes rise to the level from any start below it: from a lower bound on the price
        # (what the voters below p hold is read off sum(min(money, p)), which avoids copying them out: its
        # error is at most fuzz of that sum plus an ulp or two of the product taken off)
        p, poor = max(cost / k, at_least), -1
        for _ in range(40):
            below = int(_count(x < p))
            if below == poor:
                break  # p was computed from exactly the voters below it (and `spent` is what they hold)
            if below < poor or below == k:  # rising from below, the set of the poor only grows: rounding
                raise _GiveUp  # pushed a level past a voter's money (or past everyone's)
            poor = below
            covered = float(_add(_lesser(x, p))) if poor else 0.0
            spent = covered - p * (k - poor) if poor else 0.0
            p = (cost - spent) / (k - poor)
        else:
            raise _GiveUp
        rich = k - poor
        if poor == k - int(_count(x)):  # the poor are exactly those who hold nothing: maybe exact
            if float(np.min(x - e, where=x > 0, initial=np.inf)) > cost / rich * (1 + 8 * _ULP):
                # every other supporter surely holds more than the share: they all pay it, exactly cost / rich,
                # and the key is exactly 1 / rich (so that exact ties stay ties, and the tie-break decides)
                return _equal_share(cost, rich)
        rounding = 2 * (fuzz + 2 * _ULP) * (cost + covered) + 4 * _ULP * cost
        w = 2 * (rounding + slack) / rich + 4 * _ULP * p  # a first try, with every supporter's error
        for _ in range(4):
            under = x < p + w + self.most_err  # (the sum's rounding leaves out at most half an ulp of a voter)
            near = int(_count(under)) - poor
            slack = float(_add(e * under)) * (1 + fuzz)
            if 2 * near > rich:
                raise _GiveUp
            need = 2 * (rounding + slack) / rich + 4 * _ULP * p
            if need <= w:  # the voters counted for w include those for need: need is proven too
                if 2 * need > _WIDEST * p:
                    raise _GiveUp
                return p, p - need, p + need, None
            w = need
        raise _GiveUp

    def pay(self, p: float, low: float, high: float, i: int) -> None:
        """The supporters of project i pay p each, or all they have. |max(0, m - p) - max(0, m* - q)| is at most
        |m - m*| + |p - q| plus the subtraction's rounding; a voter clearly short of the price holds exactly 0
        afterwards, as in the exact run."""
        sup = self.facts[i][0]
        d = self.money.take(sup)
        d -= p
        grown = max(p - low, high - p) + 2 * _ULP * (self.start + p) + _TINY
        e = self.err.take(sup)
        e += grown
        keeps = d >= -2 * e  # (times 1 or 0: exact)
        _greater(d, _TINY, out=d)
        d *= keeps
        e *= keeps
        self.money[sup] = d
        self.err[sup] = e
        self.most_err += grown

    def loop(self, reach: Reach) -> Probe:
        prof = self.prof
        rank = prof.tie_rank
        cost = prof.cost_float
        # keys (price per unit of utility / unit = price / cost) as proven lower bounds, lowest first
        heap: list[tuple[Key, int]] = [(e[0] * (1 - 4 * _ULP), e[2]) for e in prof.candidates(self.start)]
        heapq.heapify(heap)
        rounds: list[ProbeRound] = []
        margins: list[Margin] = []
        rivals: list[tuple[dict[int, Any], Any]] = []
        on_path = True
        while heap:
            t = len(rounds)
            on_path = on_path and t < len(reach)
            floor = float(reach[t][1]) * (1 + 4 * _ULP) if on_path else None
            best_hi: Key | None = None
            priced: dict[int, tuple[Key, Key, float, float, float]] = {}  # keys low, high; price, low, high
            bounds_lo: dict[int, Key] = {}
            unseen = None
            while heap:
                bound, i = heap[0]
                if best_hi is not None and bound > best_hi and (floor is None or bound > floor):
                    unseen = bound
                    break
                heapq.heappop(heap)
                got = self.price(i, bound * cost[i])
                if got is None:
                    continue  # unaffordable now, so for ever
                p, low, high, exact = got
                c = cost[i]
                k_lo: Key
                k_hi: Key
                if exact is None:
                    k_lo, k_hi = low / c * (1 - 2 * _ULP), high / c * (1 + 2 * _ULP)
                else:
                    k_lo = k_hi = exact
                priced[i] = (k_lo, k_hi, p, low, high)
                bounds_lo[i] = k_lo
                if best_hi is None or k_hi < best_hi:
                    best_hi = k_hi
            if best_hi is None:
                break
            # the winner: the lowest key; proven when its upper bound is below every rival's lower bound
            winner = min(priced, key=lambda j: (priced[j][0], rank[j]))
            _, w_hi, w_p, w_low, w_high = priced[winner]
            before = [k for j, k in bounds_lo.items() if j != winner and rank[j] < rank[winner]]
            after = [k for j, k in bounds_lo.items() if j != winner and rank[j] > rank[winner]]
            if unseen is not None:
                before.append(unseen)
            b, a = min(before, default=None), min(after, default=None)
            if (b is not None and not w_hi < b) or (a is not None and not w_hi <= a):
                raise _GiveUp
            margins.append(Margin(winner, w_hi, b, a))
            rivals.append((bounds_lo, unseen))
            on_path = on_path and winner == reach[t][0]
            for j, k in bounds_lo.items():
                if j != winner:
                    heapq.heappush(heap, (k, j))
            self.pay(w_p, w_low, w_high, winner)
            rounds.append(ProbeRound(prof.ids[winner], w_p, max(w_p - w_low, w_high - w_p)))
        return Probe(Fraction(self.per_voter), rounds, margins, rivals)
