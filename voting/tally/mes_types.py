"""What an Equal Shares run returns: the purchases in order, how clearly each was won, what was left."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

__all__ = ["Margin", "MesOutcome", "MesRound", "Reach", "heap_entry"]

Reach = tuple[tuple[int, Fraction], ...]  # another run's (winner, price) per round


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


def heap_entry(key: Fraction, i: int) -> tuple[float, Fraction, int]:
    """A heap entry ordering project i by its key: the float first (cheap), the exact key to settle ties."""
    return float(key), key, i
