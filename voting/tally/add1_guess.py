"""Where Add1's purchases change between two runs that part: a guess, in floats, that only picks the next stride.

The runs at `lo` and `hi` buy the same projects up to some round t, then different ones. Before round t both
follow the same purchases, so every voter's money there is a continuous (piecewise linear) function of the start
budget: the guess replays those rounds in floats for the atoms of voters (as the chord proof does) at both
budgets, then interpolates linearly where the winner at `hi` catches up with the winner at `lo` (or, when it
could not pay its cost at `lo`, where its supporters' money reaches its cost). A wrong guess costs runs, never
a wrong result: every budget the search skips is still proven by `voting.tally.add1`'s proofs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from voting.tally.add1_atoms import Atoms
from voting.tally.add1_bounds import Bounds, make_bounds

if TYPE_CHECKING:
    from voting.tally.equalshares import MesProfile
    from voting.tally.mes_probe import Probe
    from voting.tally.mes_types import MesOutcome

__all__ = ["Parting"]


class Parting:
    """Guesses the last start budget before two runs' purchases part (approval ballots; None otherwise)."""

    def __init__(self, prof: MesProfile, atoms_of: Any) -> None:
        import numpy as np

        self.np, self.prof, self.atoms_of = np, prof, atoms_of

    def guess(self, low: MesOutcome | Probe, high: MesOutcome | Probe) -> float | None:
        """Where, between low's and high's start budgets, high's first different purchase takes over."""
        np, prof = self.np, self.prof
        if prof.cumulative:
            return None
        mine, theirs = low.winners, high.winners
        t = next((t for t, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b), min(len(mine), len(theirs)))
        if t >= len(theirs):
            return None  # high bought nothing new (it could only have bought less)
        index = prof.index
        order = tuple(index[p] for p in theirs)
        atoms = self.atoms_of(order)  # (grouped by all of high's purchases: finer than needed, and shared)
        lo, hi = float(low.per_voter), float(high.per_voter)
        money = make_bounds(np, len(atoms.count), lo, hi)  # (only the money at both ends is followed)
        for s in range(t):
            money.follow(np, atoms.members(np, order[s]), float(low.rounds[s].price), float(high.rounds[s].price))
        new = self._gap(atoms, money, order[t])
        if t < len(mine):  # where the new winner's price per unit falls below the old winner's
            old = self._gap(atoms, money, index[mine[t]])
            if old[0] is None or old[1] is None or new[0] is None or new[1] is None:
                return self._where(lo, hi, new[2], new[3])
            return self._where(lo, hi, new[0] - old[0], new[1] - old[1])
        return self._where(lo, hi, new[2], new[3])

    def _gap(self, atoms: Atoms, money: Bounds, i: int) -> tuple[Any, ...]:
        """Project i's price per unit at both ends (None where unaffordable), and its cost less its supporters'
        money at both ends."""
        np, prof = self.np, self.prof
        idx, weight = atoms.weights(np, prof, i)
        cost = prof.cost_float[i]
        at0, at1, short0, short1 = money.levels(np, idx, weight, cost)
        return None if at0 is None else at0 / cost, None if at1 is None else at1 / cost, short0, short1

    @staticmethod
    def _where(lo: float, hi: float, at_lo: float, at_hi: float) -> float | None:
        """Where a quantity positive at lo and at most 0 at hi crosses 0, interpolating linearly."""
        if not at_lo > 0 or at_hi > 0:
            return None
        return lo + at_lo * (hi - lo) / (at_lo - at_hi)
