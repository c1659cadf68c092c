"""Voters grouped into atoms for Add1's proofs and guesses, and the float water level over atoms.

Along a fixed sequence of purchases, voters who support the same projects of it hold the same money at every
start budget: the chord proof (`voting.tally.add1_chord`) and the parting guess (`voting.tally.add1_guess`)
follow one amount per atom, weighted by how many of a project's supporters it holds, instead of one per voter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from voting.tally.mes_price import rounding_bound

if TYPE_CHECKING:
    from voting.tally.equalshares import MesProfile

__all__ = ["Atoms", "water_level"]


class Atoms:
    """Voters grouped by which of some projects they support (a purchase sequence's projects, in any order: the
    grouping does not depend on the order, so one grouping serves every order of the same projects)."""

    def __init__(self, np: Any, prof: MesProfile, projects: tuple[int, ...]) -> None:
        self.bit = {i: t for t, i in enumerate(projects)}
        words = [np.zeros(prof.voters, dtype=np.uint64) for _ in range(len(projects) // 64 + 1)]
        for t, i in enumerate(projects):
            words[t // 64][prof.supp[i]] |= np.uint64(1 << (t % 64))
        if len(words) == 1:  # (without return_index, numpy sorts with its faster unstable sort)
            distinct, self.of_voter, self.count = np.unique(words[0], return_inverse=True, return_counts=True)
            self.words = [distinct]
        else:
            rows = np.stack(words, axis=1)
            distinct, self.of_voter, self.count = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
            self.words = [np.ascontiguousarray(distinct[:, j]) for j in range(len(words))]
        self.of_voter = self.of_voter.reshape(-1)
        self.count = self.count.astype(np.float64)
        self._members: dict[int, Any] = {}
        self._weights: dict[int, tuple[Any, Any]] = {}

    def members(self, np: Any, i: int) -> Any:
        """The atoms that support project i (one of the grouping's projects)."""
        if i not in self._members:
            t = self.bit[i]
            self._members[i] = np.flatnonzero((self.words[t // 64] >> np.uint64(t % 64)) & np.uint64(1))
        return self._members[i]

    def weights(self, np: Any, prof: MesProfile, i: int) -> tuple[Any, Any]:
        """The atoms holding supporters of project i (any project), and how many of its supporters each holds."""
        if i not in self._weights:
            weight = np.bincount(self.of_voter[prof.supp[i]], minlength=len(self.count))
            idx = np.flatnonzero(weight)
            self._weights[i] = idx, weight[idx].astype(np.float64)
        return self._weights[i]


def water_level(np: Any, money: Any, weight: Any, cost: float) -> tuple[float, float] | None:
    """The water level p with sum(weight * min(money, p)) = cost, and a bound on its float error (None when
    the money cannot cover the cost)."""
    order = np.argsort(money)  # (any order of equal money gives the same level, within `err`)
    m, k = money[order], weight[order]
    paid = np.cumsum(m * k) - m * k  # paid in full by the atoms before each one
    left = float(k.sum()) - (np.cumsum(k) - k)  # weight of each atom and those after it
    covers = paid + m * left >= cost
    j = int(np.argmax(covers)) if len(m) else 0
    if not len(m) or not covers[j]:
        return None
    rest, total = cost - float(paid[j]), float(left[j])
    err = rounding_bound(len(m)) * 4 * (cost + float(paid[j]) + float(m[j]) * total) / total
    return rest / total, err
