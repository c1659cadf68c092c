"""Method of Equal Shares: voters get equal budgets and buy the projects they like, cheapest share first.

Exact arithmetic without fractions in the inner loops: every voter belongs to a budget class (the
history of what they paid), class budgets are integers over one shared denominator, and counting a
project's supporters per class is one `Counter` pass over its supporter list.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import repeat
from math import gcd, lcm
from typing import Any

from voting.tally.model import Election, VoteType
from voting.tally.tiebreak import tie_key

__all__ = ["Margin", "MesOutcome", "MesProfile", "MesRound"]

_BROKE = -1  # class id of voters with no money left
Reach = tuple[tuple[int, Fraction], ...]  # another run's (winner, price) per round


@dataclass(frozen=True, slots=True)
class MesRound:
    """One purchase: the project, its round, its price per unit of utility and who paid what."""

    project: str
    round: int
    price: Fraction
    payments: tuple[tuple[Fraction, int], ...]


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
    """An election prepared for MES runs: approval counts cost as utility, cumulative counts points."""

    def __init__(self, election: Election, chain: tuple[str, ...]) -> None:
        if election.vote_type not in (VoteType.APPROVAL, VoteType.CHOOSE_ONE, VoteType.CUMULATIVE):
            raise ValueError(f"equal shares does not support {election.vote_type} ballots")
        self.cumulative = election.vote_type is VoteType.CUMULATIVE
        index = {p.id: i for i, p in enumerate(election.projects)}
        supp: list[list[int]] = [[] for _ in election.projects]
        util: list[list[int]] = [[] for _ in election.projects]
        for voter, ballot in enumerate(election.ballots):
            points = ballot.points
            for j, pid in enumerate(ballot.projects):
                u = points[j] if points is not None else 1
                if u > 0:
                    supp[index[pid]].append(voter)
                    util[index[pid]].append(u)
        self.voters = election.voters
        self.supp = supp
        self.util = util
        self.total_util = [sum(us) for us in util]
        self.ids = [p.id for p in election.projects]
        self.cost = [p.cost for p in election.projects]
        self.unit = [Fraction(1) if self.cumulative else p.cost for p in election.projects]
        key = tie_key(chain, election)
        order = sorted(range(len(self.ids)), key=lambda i: key(election.projects[i]))
        self.tie_rank = {i: r for r, i in enumerate(order)}
        self.eligible = [
            i for i, p in enumerate(election.projects) if p.cost > 0 and not p.withdrawn and self.total_util[i]
        ]
        self.cost_den = lcm(*(c.denominator for c in self.cost)) if self.cost else 1

    def run(self, per_voter: Fraction, margins: bool = False, held: bool = True, reach: Reach = ()) -> MesOutcome:
        """Run MES from this start budget per voter; with margins, record how clearly each round was won.

        `reach` is another run's (winner, price) per round: while this run buys the same projects, round t
        prices every rival up to `reach[t]`'s price (not only up to its own winner's), so its margins bound
        the rivals by at least that much.
        """
        return _Run(self, Fraction(per_voter), margins, reach).result(held)


class _Run:
    """The state of one MES run (class budgets share the denominator `den`)."""

    def __init__(self, prof: MesProfile, per_voter: Fraction, margins: bool, reach: Reach) -> None:
        self.prof = prof
        self.den = lcm(per_voter.denominator, prof.cost_den)
        self.value: dict[int, int] = {0: int(per_voter * self.den)} if per_voter > 0 else {}
        self.cls = [0 if per_voter > 0 else _BROKE] * prof.voters
        self.size: dict[int, int] = {0: prof.voters}
        self.next_id = 1
        self.cost = [int(c * self.den) for c in prof.cost]
        self.log: list[Margin] | None = [] if margins else None
        self.per_voter = per_voter
        self.rounds: list[MesRound] = []
        self._loop(reach)

    def _loop(self, reach: Reach) -> None:
        prof, log = self.prof, self.log
        rank = prof.tie_rank
        on_path = True  # the winners so far are those of `reach`
        remaining = set(prof.eligible)
        last = {i: Fraction(prof.cost[i], prof.total_util[i]) / prof.unit[i] for i in remaining}
        while remaining:
            best: Fraction | None = None
            tied: list[int] = []
            prices: dict[int, tuple[int, int]] = {}
            supporters: dict[int, Counter[Any]] = {}  # supporters by (budget class[, utility])
            keys: dict[int, Fraction] = {}
            unseen: Fraction | None = None
            t = len(self.rounds)
            on_path = on_path and t < len(reach)
            floor = reach[t][1] if on_path else None
            for i in sorted(remaining, key=lambda i: (last[i], i)):
                if best is not None and last[i] > best and (floor is None or last[i] > floor):
                    unseen = last[i]
                    break
                supporters[i] = self._items(i)
                price = self._price(i, supporters[i])
                if price is None:
                    remaining.discard(i)
                    continue
                prices[i] = price
                key = Fraction(price[0], price[1] * self.den) / prof.unit[i]
                last[i] = keys[i] = key
                if best is None or key < best:
                    best, tied = key, [i]
                elif key == best:
                    tied.append(i)
            if not tied:
                return
            winner = min(tied, key=rank.__getitem__)
            if log is not None:
                before = [k for i, k in keys.items() if rank[i] < rank[winner]]
                after = [k for i, k in keys.items() if rank[i] > rank[winner]]
                if unseen is not None:
                    before.append(unseen)
                log.append(Margin(winner, keys[winner], min(before, default=None), min(after, default=None)))
            on_path = on_path and winner == reach[t][0]
            remaining.discard(winner)
            self._pay(winner, supporters[winner], *prices[winner])

    def _items(self, i: int) -> Counter[tuple[int, int]] | Counter[int]:
        cls = self.cls
        if self.prof.cumulative:
            return Counter(zip(map(cls.__getitem__, self.prof.supp[i]), self.prof.util[i], strict=True))
        return Counter(map(cls.__getitem__, self.prof.supp[i]))

    def _price(self, i: int, counts: Counter[Any]) -> tuple[int, int] | None:
        """Price per unit of utility (numerator over denominator, in 1/den units), or None if unaffordable."""
        value = self.value
        items: list[tuple[Fraction | int, int, int, int, Any]] = []
        money = total = 0
        for key, k in counts.items():
            c, u = key if isinstance(key, tuple) else (key, 1)
            if c == _BROKE:
                continue
            v = value[c]
            items.append((Fraction(v, u) if u != 1 else v, v, u, k, key))
            money += v * k
            total += u * k
        rest = self.cost[i]
        if money < rest:
            return None
        items.sort(key=lambda t: t[0])
        for _, v, u, k, _key in items:
            if v * total < rest * u:
                rest -= v * k
                total -= u * k
            else:
                break
        return rest, total

    def _pay(self, i: int, counts: Counter[Any], rest: int, total: int) -> None:
        prof = self.prof
        g = gcd(rest, total)
        scale = total // g
        if scale != 1:
            self.den *= scale
            self.value = dict(zip(self.value, map(scale.__mul__, self.value.values()), strict=True))
            self.cost = [c * scale for c in self.cost]
        price = rest // g
        move: dict[Any, int] = {}
        paid: Counter[int] = Counter()
        for key, k in counts.items():
            c, u = key if isinstance(key, tuple) else (key, 1)
            if c == _BROKE:
                continue
            v = self.value[c]
            pay = min(v, price * u)
            paid[pay] += k
            size = self.size
            size[c] -= k
            if not size[c]:
                del size[c], self.value[c]
            if v > pay:
                new = self.next_id
                self.next_id += 1
                self.value[new] = v - pay
                size[new] = k
                move[key] = new
            else:
                move[key] = _BROKE
        cls, supp = self.cls, prof.supp[i]
        keys: Iterable[Any] = map(cls.__getitem__, supp)
        if prof.cumulative:
            keys = zip(keys, prof.util[i], strict=True)
        # cls[v] = move.get(key of v, _BROKE) for every supporter, in C loops (voters appear once in supp)
        deque(map(cls.__setitem__, supp, map(move.get, keys, repeat(_BROKE))), maxlen=0)
        den = self.den
        payments = tuple((Fraction(p, den), k) for p, k in sorted(paid.items(), reverse=True))
        unit_price = Fraction(price, den)
        self.rounds.append(MesRound(prof.ids[i], len(self.rounds) + 1, unit_price, payments))

    def result(self, with_held: bool) -> MesOutcome:
        held: dict[str, Fraction] = {}
        for i, pid in enumerate(self.prof.ids if with_held else ()):
            counts = self._items(i)
            total = 0
            for key, k in counts.items():
                c = key[0] if isinstance(key, tuple) else key
                if c != _BROKE:
                    total += self.value[c] * k
            held[pid] = Fraction(total, self.den)
        return MesOutcome(self.per_voter, self.rounds, held, self.log or [])
