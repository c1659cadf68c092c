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
the same order. The money, its errors, pricing and paying are `voting.tally.probe_floats` (compiled where a C
compiler was found when installing, with the same floats); this module runs the rounds.
"""

from __future__ import annotations

import heapq
from fractions import Fraction

from voting.tally.mes_types import Margin
from voting.tally.probe_floats import ULP, CompiledFloats, GiveUp, floats

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

    from voting.tally.equalshares import MesProfile
    from voting.tally.mes_types import Key, Reach

__all__ = ["Probe", "ProbeRound", "along", "probe"]

compiled_rounds = True  # with the compiled prices, the rounds compiled too (off: this module's loop, to compare)


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


def probe(prof: MesProfile, per_voter: Fraction, reach: Reach = ()) -> Probe | None:
    """MES at this start budget in proven floats, or None when floats cannot prove a decision.

    As `MesProfile.run(per_voter, margins=True, held=False, reach=reach)` but cheaper: its margins are bounds
    (the winner's key from above, rivals' from below), valid for the same proofs."""
    if prof.cumulative or per_voter.denominator != 1 or per_voter > 2**52:
        return None
    try:
        return _Run(prof, int(per_voter)).loop(reach)
    except GiveUp:
        return None


def along(prof: MesProfile, per_voter: int, order: tuple[int, ...], at_least: list[float]) -> list[ProbeRound] | None:
    """The purchases `order` made in turn at this start budget, in proven floats, whoever would win each round:
    each winner's price with its doubt (as `probe` gives them), or None when floats cannot price one or it is
    unaffordable. Nothing is said about rivals: the chord proof (`voting.tally.add1_chord`) uses this to cut a
    range it could not prove whole, at a budget between two runs that bought `order`. `at_least[t]` is a lower
    bound on round t's price (a price at a higher start budget along the same purchases, less its doubt)."""
    if prof.cumulative or per_voter > 2**52:
        return None
    run = floats(prof, per_voter)
    rounds = []
    try:
        for i, floor in zip(order, at_least, strict=True):
            got = run.price(i, floor)
            if got is None:
                return None
            p, low, high, _ = got
            run.pay(p, low, high, i)
            rounds.append(ProbeRound(prof.ids[i], p, max(p - low, high - p)))
    except GiveUp:
        return None
    return rounds


class _Run:
    """A probe: MES rounds on the floats of `voting.tally.probe_floats`, each winner proven."""

    def __init__(self, prof: MesProfile, per_voter: int) -> None:
        self.prof, self.per_voter, self.start = prof, per_voter, float(per_voter)
        self.floats = floats(prof, per_voter)

    def loop(self, reach: Reach) -> Probe:
        if isinstance(self.floats, CompiledFloats) and compiled_rounds:  # the same rounds compiled (`_probe.loop`)
            supp, costs, fuzzes, need, ranks = self.prof.probe_arrays()
            entries, path = self.prof.probe_heap(self.start), [(w, float(p)) for w, p in reach]
            got = self.floats.k.loop(self.floats.purse, supp, costs, fuzzes, need, ranks, entries, path, self.start,
                                     self.per_voter, self.prof.ids, Margin, ProbeRound, Fraction)
            if got is None:
                raise GiveUp
            return Probe(Fraction(self.per_voter), *got)
        prof, money = self.prof, self.floats
        rank = prof.tie_rank
        cost = prof.cost_float
        # keys (price per unit of utility / unit = price / cost) as proven lower bounds, lowest first
        heap: list[tuple[Key, int]] = prof.probe_heap(self.start)  # type: ignore[assignment]
        heapq.heapify(heap)
        rounds: list[ProbeRound] = []
        margins: list[Margin] = []
        rivals: list[tuple[dict[int, Any], Any]] = []
        on_path = True
        while heap:
            t = len(rounds)
            on_path = on_path and t < len(reach)
            floor = float(reach[t][1]) * (1 + 4 * ULP) if on_path else None
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
                got = money.price(i, bound * cost[i])
                if got is None:
                    continue  # unaffordable now, so for ever
                p, low, high, exact = got
                c = cost[i]
                k_lo: Key
                k_hi: Key
                if exact is None:
                    k_lo, k_hi = low / c * (1 - 2 * ULP), high / c * (1 + 2 * ULP)
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
                raise GiveUp
            margins.append(Margin(winner, w_hi, b, a))
            rivals.append((bounds_lo, unseen))
            on_path = on_path and winner == reach[t][0]
            for j, k in bounds_lo.items():
                if j != winner:
                    heapq.heappush(heap, (k, j))
            money.pay(w_p, w_low, w_high, winner)
            rounds.append(ProbeRound(prof.ids[winner], w_p, max(w_p - w_low, w_high - w_p)))
        return Probe(Fraction(self.per_voter), rounds, margins, rivals)
