"""Method of Equal Shares: voters get equal budgets and buy the projects they like, cheapest share first.

Exact arithmetic without fractions in the inner loops. Every voter belongs to a budget class (the history
of what they paid); a class's money is an integer over a denominator shared by all classes. Per-voter work
runs in numpy: voter-to-class membership is an integer array, counting a project's supporters per class is
one `bincount`, and paying moves every supporter at once through a lookup table (supporters of one class,
and one number of points, pay the same and move to the same new class).

Prices are located with floats, then proven. Each round, every project that may win gets float bounds
on its price, checked with a bound on the rounding (`_quote`); only the projects whose bounds reach the
lowest upper bound get their exact price (`_exact`), so the winner and every tie are decided exactly and
the others keep a proven lower bound. Results are those of the plain exact loop (`_settle`).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd, lcm
from operator import mul
from typing import TYPE_CHECKING, Any

from voting.tally.model import Election, VoteType
from voting.tally.tiebreak import tie_key

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Ints = NDArray[np.intp]

__all__ = ["Margin", "MesOutcome", "MesProfile", "MesRound"]

Reach = tuple[tuple[int, Fraction], ...]  # another run's (winner, price) per round
_SLACK = 1e-9  # relative width of the float window around a price; far above float rounding (~1e-15)


@dataclass(frozen=True, slots=True)
class MesRound:
    """One purchase: the project, its round, its price per unit of utility and who paid what.

    `amounts[j]` (in 1/`den` currency units) was paid by `voters[j]` voters; amounts may repeat.
    """

    project: str
    round: int
    price: Fraction
    amounts: tuple[int, ...]
    voters: tuple[int, ...]
    den: int

    @property
    def payments(self) -> tuple[tuple[Fraction, int], ...]:
        """(amount, voters) per distinct amount paid, largest first (made exact only when asked)."""
        paid: dict[int, int] = {}
        for amount, k in zip(self.amounts, self.voters, strict=True):
            paid[amount] = paid.get(amount, 0) + k
        return tuple((Fraction(p, self.den), k) for p, k in sorted(paid.items(), reverse=True))


@dataclass(frozen=True, slots=True)
class Margin:
    """How clearly a round was won: the winner's price per unit of utility and lower bounds on its rivals'.

    `before` bounds the projects the tie-break puts before the winner (they must cost strictly more),
    `after` those it puts after (they may cost the same); None when there is no such rival.
    """

    winner: int
    price: Fraction
    before: Fraction | None
    after: Fraction | None


@dataclass
class MesOutcome:
    """Projects bought in order, the per-voter start budget and what supporters held at the end."""

    per_voter: Fraction
    rounds: list[MesRound]
    held: dict[str, Fraction]
    margins: list[Margin] = field(default_factory=list, repr=False)

    @property
    def winners(self) -> list[str]:
        """Project ids in purchase order."""
        return [r.project for r in self.rounds]


class MesProfile:
    """An election prepared for MES runs: approval counts cost as utility, cumulative counts points.

    Supporters are numpy index arrays; for cumulative ballots `points[i]` indexes `levels`, the distinct
    numbers of points, in the same order as `supp[i]`.
    """

    def __init__(self, election: Election, chain: tuple[str, ...]) -> None:
        import numpy as np  # here, not at the top: the command line must start fast

        if election.vote_type not in (VoteType.APPROVAL, VoteType.CHOOSE_ONE, VoteType.CUMULATIVE):
            raise ValueError(f"equal shares does not support {election.vote_type} ballots")
        self.cumulative = election.vote_type is VoteType.CUMULATIVE
        index = {p.id: i for i, p in enumerate(election.projects)}
        supp: list[list[int]] = [[] for _ in election.projects]
        util: list[list[int]] = [[] for _ in election.projects]
        for voter, ballot in enumerate(election.ballots):
            if ballot.points is None:
                for pid in ballot.projects:
                    supp[index[pid]].append(voter)
                continue
            for pid, u in zip(ballot.projects, ballot.points, strict=True):
                if u > 0:
                    supp[index[pid]].append(voter)
                    util[index[pid]].append(u)
        self.voters = election.voters
        self.supp = [np.array(s, dtype=np.intp) for s in supp]
        self.levels = sorted({u for us in util for u in us}) or [1]
        level = {u: j for j, u in enumerate(self.levels)}
        self.points = [np.array([level[u] for u in us], dtype=np.intp) for us in util] if self.cumulative else []
        self.level_array = np.array(self.levels, dtype=np.int64)
        self.total_util = [sum(us) for us in util] if self.cumulative else [len(s) for s in supp]
        self.ids = [p.id for p in election.projects]
        self.cost = [p.cost for p in election.projects]
        self.cost_float = [float(c) for c in self.cost]
        self.unit = [Fraction(1) if self.cumulative else p.cost for p in election.projects]
        key = tie_key(chain, election)
        order = sorted(range(len(self.ids)), key=lambda i: key(election.projects[i]))
        self.tie_rank = {i: r for r, i in enumerate(order)}
        self.eligible = [
            i for i, p in enumerate(election.projects) if p.cost > 0 and not p.withdrawn and self.total_util[i]
        ]
        self.cost_den = lcm(*(c.denominator for c in self.cost)) if self.cost else 1
        # every project keyed by a lower bound on its price (all its supporters paying): a heap
        self.bounds = [_entry(Fraction(self.cost[i], self.total_util[i]) / self.unit[i], i) for i in self.eligible]
        heapq.heapify(self.bounds)

    def run(self, per_voter: Fraction, margins: bool = False, held: bool = True, reach: Reach = ()) -> MesOutcome:
        """Run MES from this start budget per voter; with margins, record how clearly each round was won.

        `reach` is another run's (winner, price) per round: while this run buys the same projects, round t
        prices every rival up to `reach[t]`'s price (not only up to its own winner's), so its margins bound
        the rivals by at least that much.
        """
        return _Run(self, Fraction(per_voter), margins, reach).result(held)


@dataclass(slots=True)
class _Count:
    """A project's supporters by budget class: a key per supporter, then per group of equal keys."""

    keys: Ints  # each supporter's class (for cumulative: class * number of point levels + level)
    groups: Ints  # the distinct keys of supporters with money left
    ids: Ints  # the class of each group
    counts: Ints  # supporters in each group
    utils: Ints | None  # their utility (cumulative), None when it is 1 (approval)
    weights: Ints  # utility times count


class _Run:
    """The state of one MES run.

    Class 0 is "broke". Class c holds `vals[c] * mults[epoch[c]]` in 1/`den` units (Python integers in
    object arrays): when the denominator grows, only `mults` is rescaled (one entry per rescaling), not
    every class. `money[c]` is the same amount as a float in currency units, within a few ulps. `size[c]`
    counts its voters; the ids of emptied classes are reused, so ids stay below the number of voters.
    """

    def __init__(self, prof: MesProfile, per_voter: Fraction, margins: bool, reach: Reach) -> None:
        import numpy as np

        self.np = np
        self.prof = prof
        self.den = lcm(per_voter.denominator, prof.cost_den)
        start = int(per_voter * self.den) if per_voter > 0 else 0
        self.cls = np.full(prof.voters, 1 if start else 0, dtype=np.intp)
        self.vals = np.zeros(64, dtype=object)
        self.epoch = np.zeros(64, dtype=np.intp)
        self.money = np.zeros(64)
        self.size = np.zeros(64, dtype=np.int64)
        self.vals[1], self.money[1], self.size[1] = start, start / self.den, prof.voters
        self.mults = np.ones(1, dtype=object)
        self.classes = 2  # ids in use or free below this
        self.free: list[int] = []
        self.cost = [int(c * self.den) for c in prof.cost]
        self.log: list[Margin] | None = [] if margins else None
        self.per_voter = per_voter
        self.rounds: list[MesRound] = []
        self._loop(reach)

    def _loop(self, reach: Reach) -> None:
        prof, log = self.prof, self.log
        rank = prof.tie_rank
        on_path = True  # the winners so far are those of `reach`
        # every remaining project keyed by a lower bound on its price: prices only rise as money is spent
        # (a float first: a correctly rounded float never reverses the order of two fractions, and is cheap)
        heap = list(prof.bounds)
        while heap:
            best: Fraction | None = None  # the lowest upper bound on a price so far
            quotes: dict[int, tuple[Fraction, Fraction, tuple[int, int] | None]] = {}
            counted: dict[int, _Count] = {}
            unseen: Fraction | None = None
            t = len(self.rounds)
            on_path = on_path and t < len(reach)
            floor = reach[t][1] if on_path else None
            while heap:  # projects in order of their lower bounds, as long as one could still win
                _, bound, i = heap[0]
                if best is not None and bound > best and (floor is None or bound > floor):
                    unseen = bound
                    break
                heapq.heappop(heap)
                sup = self._count(i, affordable=True)
                quote = None if sup is None else self._quote(i, sup)
                if sup is None or quote is None:
                    continue  # unaffordable now, so for ever
                counted[i], quotes[i] = sup, quote
                if best is None or quote[1] < best:
                    best = quote[1]
            if best is None:
                return
            # exact prices for the projects that may be the cheapest; the others keep their lower bound
            keys: dict[int, Fraction] = {}
            prices: dict[int, tuple[int, int]] = {}
            for i, (low, _, price) in quotes.items():
                if low <= best:
                    price = price or self._exact(i, counted[i])
                    assert price is not None  # affordable: `_quote` proved it
                    prices[i], unit = price, prof.unit[i]
                    low = Fraction(prices[i][0] * unit.denominator, prices[i][1] * self.den * unit.numerator)
                keys[i] = low
            cheapest = min(keys[i] for i in prices)
            winner = min((i for i in prices if keys[i] == cheapest), key=rank.__getitem__)
            if log is not None:
                before = [k for i, k in keys.items() if rank[i] < rank[winner]]
                after = [k for i, k in keys.items() if rank[i] > rank[winner]]
                if unseen is not None:
                    before.append(unseen)
                log.append(Margin(winner, keys[winner], min(before, default=None), min(after, default=None)))
            on_path = on_path and winner == reach[t][0]
            for i, key in keys.items():
                if i != winner:
                    heapq.heappush(heap, _entry(key, i))
            self._pay(winner, counted[winner], *prices[winner])

    def _count(self, i: int, affordable: bool = False) -> _Count | None:
        """Count project i's supporters by class; with `affordable`, None when they clearly cannot pay it."""
        np, prof = self.np, self.prof
        keys = self.cls[prof.supp[i]]
        if affordable and float(self.money[keys].sum()) < prof.cost_float[i] * (1 - _fuzz(len(keys))):
            return None
        if not prof.cumulative:
            tally = np.bincount(keys, minlength=1)
            tally[0] = 0  # class 0 is broke
            groups = tally.nonzero()[0]
            counts = tally[groups]
            return _Count(keys, groups, groups, counts, None, counts)
        levels = len(prof.levels)
        keys = keys * levels + prof.points[i]
        tally = np.bincount(keys)
        tally[:levels] = 0
        groups = tally.nonzero()[0]
        counts = tally[groups]
        ids, level = np.divmod(groups, levels)
        utils = prof.level_array[level]
        return _Count(keys, groups, ids, counts, utils, utils * counts)

    def _values(self, ids: Ints) -> Any:
        """The exact money of these classes, in 1/den units (an object array of Python integers)."""
        return self.vals[ids] * self.mults[self.epoch[ids]]

    def _new_classes(self, count: int) -> Ints:
        """Ids for `count` new classes: freed ones first, then fresh ones (growing the arrays)."""
        np = self.np
        reused = self.free[len(self.free) - count :] if count else []
        del self.free[len(self.free) - len(reused) :]
        extra = count - len(reused)
        ids = reused + list(range(self.classes, self.classes + extra))
        self.classes += extra
        if self.classes > len(self.money):
            grow = self.classes
            self.vals = np.concatenate([self.vals, np.zeros(grow, dtype=object)])
            self.epoch = np.concatenate([self.epoch, np.zeros(grow, dtype=np.intp)])
            self.money = np.concatenate([self.money, np.zeros(grow)])
            self.size = np.concatenate([self.size, np.zeros(grow, dtype=np.int64)])
        return np.array(ids, dtype=np.intp)

    def _quote(self, i: int, sup: _Count) -> tuple[Fraction, Fraction, tuple[int, int] | None] | None:
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
        approx, fuzz = prof.cost_float[i], _fuzz(len(sup.ids))
        held = self.money[sup.ids]
        total_money = float(held @ sup.counts)
        if total_money < approx * (1 - fuzz):
            return None
        p = None if total_money <= approx * (1 + fuzz) else self._estimate(sup, approx, held)
        if p is not None:
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

    def _estimate(self, sup: _Count, approx: float, held: NDArray[np.float64]) -> float | None:
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

    def _exact(self, i: int, sup: _Count) -> tuple[int, int] | None:
        """The exact price per unit of utility (numerator over denominator, in 1/den units), or None.

        The classes clearly below the float estimate pay exactly what they hold, the few near it are
        settled by the exact loop (`_settle`), and the result is checked exactly against the float
        window. Any doubt falls back to the exact loop over every class.
        """
        np = self.np
        cost, approx, fuzz = self.cost[i], self.prof.cost_float[i], _fuzz(len(sup.ids))
        held = self.money[sup.ids]
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
        rest, total = _settle(rest, total, items)
        # below the window every class has less than the price, above it more: check the price is inside
        lo, hi = Fraction(p * (1 - _SLACK / 2)), Fraction(p * (1 + _SLACK / 2))
        scaled = total * self.den
        if total <= 0 or rest * lo.denominator < lo.numerator * scaled or rest * hi.denominator > hi.numerator * scaled:
            return self._exact_price(cost, sup)
        return rest, total

    def _exact_price(self, cost: int, sup: _Count) -> tuple[int, int] | None:
        held = self._values(sup.ids).tolist()
        counts = sup.counts.tolist()
        utils = [1] * len(counts) if sup.utils is None else sup.utils.tolist()
        if sum(map(mul, held, counts)) < cost:
            return None
        return _settle(cost, sum(map(mul, utils, counts)), list(zip(held, utils, counts, strict=True)))

    def _pay(self, i: int, sup: _Count, rest: int, total: int) -> None:
        np, prof = self.np, self.prof
        g = gcd(rest, total)
        scale = total // g
        if scale != 1:
            self.den *= scale
            self.mults = np.append(self.mults * scale, 1)
            self.cost = [c * scale for c in self.cost]
        den, price = self.den, rest // g
        values = self._values(sup.ids)
        remains = values - (price if sup.utils is None else sup.utils.astype(object) * price)
        keeps = (remains > 0).astype(bool)
        fresh, broke = np.flatnonzero(keeps), np.flatnonzero(~keeps)
        # who paid what: the others the price per unit of utility, the poorer all they had
        if sup.utils is None:
            shares = [price] if len(fresh) else []
            payers = [int(sup.counts[fresh].sum())] if len(fresh) else []
        else:
            shares = (sup.utils[fresh].astype(object) * price).tolist()
            payers = sup.counts[fresh].tolist()
        amounts = (*shares, *values[broke].tolist())
        voters = (*payers, *sup.counts[broke].tolist())
        # the groups that keep money become new classes; everyone else among the supporters goes broke
        np.subtract.at(self.size, sup.ids, sup.counts)
        self.free.extend(np.unique(sup.ids[self.size[sup.ids] == 0]).tolist())
        kept = remains[fresh]
        ids = self._new_classes(len(kept))
        self.vals[ids], self.epoch[ids], self.size[ids] = kept, len(self.mults) - 1, sup.counts[fresh]
        if den.bit_length() < 960 and self.per_voter < 2**60:  # no overflow: money only falls from per_voter
            fden = float(den)
            self.money[ids] = [float(x) / fden for x in kept.tolist()]
        else:
            self.money[ids] = [x / den for x in kept.tolist()]
        move = np.zeros(int(sup.keys.max()) + 1 if len(sup.keys) else 1, dtype=np.intp)
        move[sup.groups[fresh]] = ids
        self.cls[prof.supp[i]] = move[sup.keys]
        unit_price = Fraction(price, den)
        self.rounds.append(MesRound(prof.ids[i], len(self.rounds) + 1, unit_price, amounts, voters, den))

    def result(self, with_held: bool) -> MesOutcome:
        held: dict[str, Fraction] = {}
        for i, pid in enumerate(self.prof.ids if with_held else ()):
            sup = self._count(i)
            assert sup is not None
            total = int((self._values(sup.ids) * sup.counts).sum())
            held[pid] = Fraction(total, self.den)
        return MesOutcome(self.per_voter, self.rounds, held, self.log or [])


def _fuzz(terms: int) -> float:
    """A bound on the relative rounding error of a float sum of `terms` positive products (twice over)."""
    return (terms + 8) * 2.0**-52


def _entry(key: Fraction, i: int) -> tuple[float, Fraction, int]:
    return float(key), key, i


def _settle(rest: int, total: int, items: list[tuple[int, int, int]]) -> tuple[int, int]:
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
