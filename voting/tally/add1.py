"""Equal Shares completed by Add1, as the cities that use it (and pabulib-checker) compute it.

Start from MES with the real budget. Then give each voter floor(B/n)+1, +2, ... currency units and
keep the last outcome whose cost still fits the real budget.

The search jumps instead of stepping by 1. Along a fixed sequence of purchases, raising the start budget
never lowers any voter's money and never raises any project's price per unit of utility (induction over
the rounds: with richer supporters the price that covers a cost can only fall, and what a voter keeps,
max(0, money - price * utility), can only grow). So if the runs at budgets lo < hi buy the same projects
in the same order, and in every round the winner's price at lo is below every rival's price at hi (or
equal, for rivals the tie-break puts after it), every budget in between buys exactly the same projects.
When that monotone proof gives out (winner and rival prices fall together), the chord proof
(`voting.tally.add1_chord`) may still prove the range: it follows every voter's money between the two
runs as a straight line plus a bounded error. How the search picks its jumps (strides, runs reused)
only decides how many runs it makes: every budget it skips lies in a proven range and every budget
whose cost it reads was run, so the result is the unit-step loop's.

Each run the search makes is first tried as a float probe (`voting.tally.mes_probe`), which buys exactly what
the exact run buys or gives up; its margins are bounds on the safe side, so both proofs read it as they read an
exact run (the chord proof adds each price's proven doubt to its slack).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from voting.tally.add1_chord import ChordProof
from voting.tally.add1_guess import Parting
from voting.tally.equalshares import MesOutcome, MesProfile
from voting.tally.mes_probe import Probe
from voting.tally.mes_types import Reach

__all__ = ["add1", "add1_stepwise"]

Progress = Callable[[int], None]
Run = MesOutcome | Probe  # what the search reads of a run: a probe where floats prove it, else the exact run


def _run(prof: MesProfile, per_voter: int, reach: Reach = ()) -> Run:
    """The run at this start budget for the search: a float probe when it proves its purchases, else exact."""
    budget = Fraction(per_voter)
    return prof.probe(budget, reach) or prof.run(budget, margins=True, held=False, reach=reach)


def _cost(prof: MesProfile, out: Run) -> Fraction:
    index = prof.index
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


def _same_path(low: Run, high: Run) -> bool:
    """True when every start budget between those of `low` and `high` buys what both buy, in that order."""
    if len(low.margins) != len(high.margins):
        return False
    for a, b in zip(low.margins, high.margins, strict=True):
        if a.winner != b.winner:
            return False
        if (b.before is not None and a.price >= b.before) or (b.after is not None and a.price > b.after):
            return False
    return True


def _next_change(low: Run, high: Run) -> float | None:
    """Where a rival would catch up with a winner, extrapolating the gap of every rival priced in both runs
    from low to high (a guess that only picks the next stride; None when no gap shrinks)."""
    step = float(high.per_voter - low.per_voter)
    guess = None
    for a, b, (keys_a, _), (keys_b, _) in zip(low.margins, high.margins, low.rivals, high.rivals, strict=True):
        price_a, price_b = float(a.price), float(b.price)
        for r, key_b in keys_b.items():
            key_a = keys_a.get(r)
            if r == b.winner or key_a is None:
                continue
            gap_a, gap_b = float(key_a) / price_a - 1, float(key_b) / price_b - 1
            if gap_b < gap_a:
                at = float(high.per_voter) + max(gap_b, 0.0) * step / (gap_a - gap_b)
                guess = at if guess is None else min(guess, at)
    return guess


def _crossing(low: Run, high: Run) -> float | None:
    """Where the first round whose winners differ changes hands, interpolating the two winners' gap between
    the runs (a guess that only picks the next stride; None when a key is missing)."""
    for t, (a, b) in enumerate(zip(low.margins, high.margins, strict=False)):
        if a.winner == b.winner:
            continue
        (keys_low, unseen_low), (keys_high, unseen_high) = low.rivals[t], high.rivals[t]
        theirs_low, mine_high = keys_low.get(b.winner, unseen_low), keys_high.get(a.winner, unseen_high)
        if theirs_low is None or mine_high is None:  # (an unpriced project's key is at least `unseen`)
            return None
        gap_low, gap_high = float(theirs_low - a.price), float(b.price - mine_high)
        if gap_low - gap_high <= 0:
            return None
        return float(low.per_voter) + gap_low * float(high.per_voter - low.per_voter) / (gap_low - gap_high)
    return None


class _Runs:
    """Every run made so far, by start budget (the search may come back to a budget it already ran).

    A run at `hi` prices its rivals up to the winners' prices of the `low` it was made for (`reach`), as long as it
    buys what that `low` bought. Its margins are valid lower bounds whatever `low` it is compared with later, and
    tightest against a `low` with the same purchases (whose prices, at a lower budget, are higher). But a run made
    for a `low` with other purchases stopped pricing rivals where the two parted: against a later `low` that buys
    what it buys, its rivals may be priced too little to prove anything. Such a run is made again, once, for the
    first `low` that buys the same projects in the same order. Only which jumps get proven depends on this, never
    the result. Runs at or below `low` are dropped: the search only moves up from `low`.
    """

    def __init__(self, prof: MesProfile) -> None:
        self.prof = prof
        self.done: dict[int, Run] = {}
        self.along: dict[int, list[str]] = {}  # the purchases each run's rivals were priced along

    def at(self, hi: int, low: Run) -> Run:
        """The run at `hi` (made now, if needed, with its rivals priced up to `low`'s winners' prices)."""
        for gone in [b for b in self.done if b <= low.per_voter]:  # the search never goes back below `low`
            del self.done[gone]
            del self.along[gone]
        if hi not in self.done:
            self._make(hi, low)
        return self.done[hi]

    def again(self, hi: int, low: Run) -> Run | None:
        """The run at `hi` made again for `low`, if it buys what `low` buys but its rivals were priced along
        other purchases (None otherwise: it would price them the same)."""
        if self.along[hi] == low.winners or self.done[hi].winners != low.winners:
            return None
        return self._make(hi, low)

    def _make(self, hi: int, low: Run) -> Run:
        far = hi > low.per_voter + 1  # (next to `low`, no budget in between: no proof, no rival needed)
        reach = tuple((m.winner, m.price) for m in low.margins) if far else ()
        self.done[hi], self.along[hi] = _run(self.prof, hi, reach), low.winners if far else []
        return self.done[hi]


def add1(prof: MesProfile, budget: Fraction, progress: Progress | None = None) -> Run:
    """Add1 with jumps over start budgets that provably buy the very same projects (see the module doc): the
    run at the start budget the unit-step loop keeps (a probe, with the purchases but not the payments, where
    floats proved them: run it exactly at its `per_voter` for those)."""
    n = prof.voters
    outcome = prof.run(budget / n) if n else prof.run(Fraction(0))
    if not n:
        return outcome
    ceiling = _ceiling(prof)
    lo = int(budget // n) + 1
    if lo > ceiling:
        return outcome
    low = _run(prof, lo)
    if _cost(prof, low) > budget:
        return outcome
    stride, start = 1, lo  # start: where the current purchase order was first seen
    failed: Run | None = None
    runs = _Runs(prof)
    chord = None if prof.cumulative else ChordProof(prof)
    parting = None if chord is None else Parting(prof, chord.atoms_of)

    def proven(low: Run, high: Run) -> bool:
        return _same_path(low, high) or (chord is not None and chord.proves(low, high))

    while lo < ceiling:
        if failed is not None and failed.per_voter > lo + 1:  # aim just before where the orders part
            guess = parting.guess(low, failed) if parting is not None else None
            if guess is None:
                guess = _crossing(low, failed)
            if guess is not None:
                stride = min(max(1, int(guess) - lo), int(failed.per_voter) - lo - 1)
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
            if low.winners == high.winners:
                stride = _stride(low, high, 4 * stride)
            else:  # a new order: guess it lasts a quarter as long as the last one did
                stride, start = max(1, (hi - start) // 4), hi
            lo, low = hi, high
        elif proven(low, high) or ((again := runs.again(hi, low)) is not None and proven(low, high := again)):
            lo, low, stride = hi, high, _stride(low, high, stride * 4)
        else:
            failed, stride = high, (hi - lo) // 2
        if failed is not None and failed.per_voter <= lo:
            failed = None
    return low


def _stride(low: Run, high: Run, most: int) -> int:
    """The next stride from `high`: at most `most`, and short of where a rival is guessed to catch up."""
    guess = _next_change(low, high)
    if guess is None:
        return most
    return max(1, min(most, int(guess - float(high.per_voter))))
