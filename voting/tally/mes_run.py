"""One Method of Equal Shares run: voters in budget classes (numpy), the rounds bought one after another.

Class 0 is "broke". Each round prices the projects that may still win in order of a lower bound on their price
(prices only rise as money is spent), decides the winner and every tie exactly, then moves the winner's
supporters to new classes in one numpy step.
"""

from __future__ import annotations

import heapq
from fractions import Fraction
from math import gcd, lcm
from typing import TYPE_CHECKING

from voting.tally.mes_price import Count, Pricing, rounding_bound
from voting.tally.mes_types import Margin, MesOutcome, MesRound, Reach, heap_entry

if TYPE_CHECKING:
    from collections.abc import Mapping

    from voting.tally.equalshares import MesProfile
    from voting.tally.mes_price import Ints
    from voting.tally.mes_types import Key

__all__ = ["MesRun"]


class MesRun(Pricing):
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
        self.base = [c.numerator * (self.den // c.denominator) for c in prof.cost]  # costs in 1/(den / grown)
        self.grown = 1  # how much `den` has grown since the run started
        self.log: list[Margin] | None = [] if margins else None
        self.rivals: list[tuple[Mapping[int, Key], Key | None]] = []  # with margins: keys per round
        self.per_voter = per_voter
        self.rounds: list[MesRound] = []
        self.estimates: dict[int, float] = {}
        self._loop(reach)

    def _loop(self, reach: Reach) -> None:
        prof, log = self.prof, self.log
        rank = prof.tie_rank
        on_path = True  # the winners so far are those of `reach`
        # every remaining project keyed by a lower bound on its price: prices only rise as money is spent
        # (a float first: a correctly rounded float never reverses the order of two fractions, and is cheap)
        # (without those never affordable in this run)
        heap = prof.candidates(float(self.per_voter))
        heapq.heapify(heap)
        while heap:
            best: Fraction | None = None  # the lowest upper bound on a price so far
            quotes: dict[int, tuple[Fraction, Fraction, tuple[int, int] | None]] = {}
            self.estimates = {}
            counted: dict[int, Count] = {}
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
                    price = price or self._exact(i, counted[i], self.estimates.get(i))
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
                self.rivals.append((keys, unseen))
            on_path = on_path and winner == reach[t][0]
            for i, key in keys.items():
                if i != winner:
                    heapq.heappush(heap, heap_entry(key, i))
            self._pay(winner, counted[winner], *prices[winner])

    def _count(self, i: int, affordable: bool = False) -> Count | None:
        """Count project i's supporters by class; with `affordable`, None when they clearly cannot pay it."""
        np, prof = self.np, self.prof
        keys = self.cls[prof.supp[i]]
        if affordable and float(self.money[keys].sum()) < prof.cost_float[i] * (1 - rounding_bound(len(keys))):
            return None
        if not prof.cumulative:
            tally = np.bincount(keys, minlength=1)
            tally[0] = 0  # class 0 is broke
            groups = tally.nonzero()[0]
            counts = tally[groups]
            return Count(keys, groups, groups, counts, None, counts)
        levels = len(prof.levels)
        keys = keys * levels + prof.points[i]
        tally = np.bincount(keys)
        tally[:levels] = 0
        groups = tally.nonzero()[0]
        counts = tally[groups]
        ids, level = np.divmod(groups, levels)
        utils = prof.level_array[level]
        return Count(keys, groups, ids, counts, utils, utils * counts)


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

    def _pay(self, i: int, sup: Count, rest: int, total: int) -> None:
        np, prof = self.np, self.prof
        g = gcd(rest, total)
        scale = total // g
        if scale != 1:
            self.den *= scale
            self.mults = np.append(self.mults * scale, 1)
            self.grown *= scale
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
        if sup.utils is None:  # approval: one group per class, in increasing order
            self.size[sup.ids] -= sup.counts
            self.free.extend(sup.ids[self.size[sup.ids] == 0].tolist())
        else:
            np.subtract.at(self.size, sup.ids, sup.counts)
            self.free.extend(np.unique(sup.ids[self.size[sup.ids] == 0]).tolist())
        kept = remains[fresh]
        ids = self._new_classes(len(kept))
        self.vals[ids], self.epoch[ids], self.size[ids] = kept, len(self.mults) - 1, sup.counts[fresh]
        if den.bit_length() < 960 and self.per_voter < 2**60:  # no overflow: money only falls from per_voter
            fden = float(den)
            self.money[ids] = np.array(kept.tolist(), dtype=np.float64) / fden  # each int rounded as float() does
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
        outcome = MesOutcome(self.per_voter, self.rounds, held, self.log or [])
        outcome.rivals = self.rivals
        return outcome
