"""Equal Shares completed by Add1, as the cities that use it (and pabulib-checker) compute it.

Start from MES with the real budget. Then give each voter floor(B/n)+1, +2, ... currency units and
keep the last outcome whose cost still fits the real budget. Runs whose every decision is identical
at two start budgets are identical at all budgets in between (every quantity is affine in the start
budget along a fixed decision path), so the search jumps over such stretches instead of stepping by 1.
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


def add1(prof: MesProfile, budget: Fraction, progress: Progress | None = None) -> MesOutcome:
    """Add1 with jumps over start budgets where MES takes the very same decisions."""
    n = prof.voters
    outcome = prof.run(budget / n) if n else prof.run(Fraction(0))
    if not n:
        return outcome
    ceiling = _ceiling(prof)
    lo = int(budget // n) + 1
    if lo > ceiling:
        return outcome
    low = prof.run(Fraction(lo), trace=True, held=False)
    if _cost(prof, low) > budget:
        return outcome
    stride = 1
    while lo < ceiling:
        hi = min(lo + stride, ceiling)
        high = prof.run(Fraction(hi), trace=True, held=False)
        if progress:
            progress(hi)
        if high.trace == low.trace:
            lo, low, stride = hi, high, stride * 2
            continue
        while hi - lo > 1:
            mid = (lo + hi) // 2
            middle = prof.run(Fraction(mid), trace=True, held=False)
            if middle.trace == low.trace:
                lo, low = mid, middle
            else:
                hi, high = mid, middle
        if _cost(prof, high) > budget:
            return low
        lo, low, stride = hi, high, 1
    return low
