"""Equal Shares completed by Add1, as the cities that use it (and pabulib-checker) compute it.

Start from MES with the real budget. Then give each voter floor(B/n)+1, +2, ... currency units and
keep the last outcome whose cost still fits the real budget.

The search jumps instead of stepping by 1. Along a fixed sequence of purchases, raising the start budget
never lowers any voter's money and never raises any project's price per unit of utility (induction over
the rounds: with richer supporters the price that covers a cost can only fall, and what a voter keeps,
max(0, money - price * utility), can only grow). So if the runs at budgets lo < hi buy the same projects
in the same order, and in every round the winner's price at lo is below every rival's price at hi (or
equal, for rivals the tie-break puts after it), every budget in between buys exactly the same projects.
How the search picks its jumps (strides, runs reused) only decides how many runs it makes: every budget
it skips lies in a proven range and every budget whose cost it reads was run, so the result is the
unit-step loop's.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from voting.tally.equalshares import MesOutcome, MesProfile

__all__ = ["add1", "add1_stepwise"]

Progress = Callable[[int], None]


def _cost(prof: MesProfile, out: MesOutcome) -> Fraction:
    index = {pid: i for i, pid in enumerate(prof.ids)}
    return sum((prof.cost[index[p]] for p in out.winners), Fraction(0))


def _ceiling(prof: MesProfile) -> int:
    """A start budget at which every supporter can pay every project alone: the outcome is final."""
    return int(sum((prof.cost[i] for i in prof.eligible), Fraction(0))) + 1


def add1_stepwise(prof: MesProfile, budget: Fraction, progress: Progress | None = None) -> MesOutcome:
    """Reference Add1: one MES run per unit step (slow; used to test :func:`add1`)."""
    n = prof.voters
    outcome = prof.run(budget / n) if n else prof.run(Fraction(0))
    if not n:
        return outcome
    step = int(budget // n)
    ceiling = _ceiling(prof)
    while step < ceiling:
        step += 1
        nxt = prof.run(Fraction(step))
        if _cost(prof, nxt) > budget:
            break
        outcome = nxt
        if progress:
            progress(step)
    return outcome


def _same_path(low: MesOutcome, high: MesOutcome) -> bool:
    """True when every start budget between those of `low` and `high` buys what both buy, in that order."""
    if len(low.margins) != len(high.margins):
        return False
    for a, b in zip(low.margins, high.margins, strict=True):
        if a.winner != b.winner:
            return False
        if (b.before is not None and a.price >= b.before) or (b.after is not None and a.price > b.after):
            return False
    return True


class _Runs:
    """Every run made so far, by start budget (the search may come back to a budget it already ran).

    A run at `hi` prices its rivals up to the winners' prices of the `low` it was made for (`reach`), so its
    margins are tightest against that `low`; but they are valid lower bounds whatever `low` it is compared
    with later, so a run is never made twice. Only which jumps get proven depends on it, never the result.
    Runs at or below `low` are dropped: the search only moves up from `low`.
    """

    def __init__(self, prof: MesProfile) -> None:
        self.prof = prof
        self.done: dict[int, MesOutcome] = {}

    def at(self, hi: int, low: MesOutcome) -> MesOutcome:
        """The run at `hi` (made now, if needed, with its rivals priced up to `low`'s winners' prices)."""
        for gone in [b for b in self.done if b <= low.per_voter]:  # the search never goes back below `low`
            del self.done[gone]
        if hi not in self.done:
            reach = tuple((m.winner, m.price) for m in low.margins) if hi > low.per_voter + 1 else ()
            self.done[hi] = self.prof.run(Fraction(hi), margins=True, held=False, reach=reach)
        return self.done[hi]


def add1(prof: MesProfile, budget: Fraction, progress: Progress | None = None) -> MesOutcome:
    """Add1 with jumps over start budgets that provably buy the very same projects (see the module doc)."""
    n = prof.voters
    outcome = prof.run(budget / n) if n else prof.run(Fraction(0))
    if not n:
        return outcome
    ceiling = _ceiling(prof)
    lo = int(budget // n) + 1
    if lo > ceiling:
        return outcome
    low = prof.run(Fraction(lo), margins=True, held=False)
    if _cost(prof, low) > budget:
        return outcome
    stride = 1
    failed: MesOutcome | None = None
    runs = _Runs(prof)
    while lo < ceiling:
        hi = min(lo + stride, ceiling)
        if failed is not None and hi >= failed.per_voter:
            hi, high = int(failed.per_voter), failed
        else:
            high = runs.at(hi, low)
        if progress:
            progress(hi)
        if hi == lo + 1:  # no budget in between: only the cost matters
            if _cost(prof, high) > budget:
                return low
            # jump next only where the last step would have been proven too (decisions change slowly)
            lo, low, stride = hi, high, 2 if _same_path(low, high) else 1
        elif _same_path(low, high):
            lo, low, stride = hi, high, stride * 2
        else:
            failed, stride = high, (hi - lo) // 2
        if failed is not None and failed.per_voter <= lo:
            failed = None
    return low
