"""What an Equal Shares run returns: the purchases in order, how clearly each was won, what was left."""

from __future__ import annotations

from fractions import Fraction

from voting.tally.record import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Key", "Margin", "MesOutcome", "MesRound", "Reach", "heap_entry"]

Key = Fraction | float  # a price per unit: exact from an exact run, a proven bound (a float) from a probe
Reach = tuple[tuple[int, Key], ...]  # another run's (winner, price) per round


class MesRound(Record):
    """One purchase: the project, its round, its price per unit of utility and who paid what.

    `amounts[j]` (in 1/`den` currency units) was paid by `voters[j]` voters; amounts may repeat.
    """

    __slots__ = ("project", "round", "price", "amounts", "voters", "den")
    _fields = ("project", "round", "price", "amounts", "voters", "den")
    project: str
    round: int
    price: Fraction
    amounts: tuple[int, ...]
    voters: tuple[int, ...]
    den: int

    def __init__(self, project: str, round: int, price: Fraction, amounts: tuple[int, ...],  # noqa: A002
                 voters: tuple[int, ...], den: int) -> None:
        init = object.__setattr__
        init(self, "project", project)
        init(self, "round", round)
        init(self, "price", price)
        init(self, "amounts", amounts)
        init(self, "voters", voters)
        init(self, "den", den)

    doubt = 0.0  # how far the exact price may be from `price` (0: it is exact; see `mes_probe.ProbeRound`)

    @property
    def payments(self) -> tuple[tuple[Fraction, int], ...]:
        """(amount, voters) per distinct amount paid, largest first (made exact only when asked)."""
        paid: dict[int, int] = {}
        for amount, k in zip(self.amounts, self.voters, strict=True):
            paid[amount] = paid.get(amount, 0) + k
        return tuple((Fraction(p, self.den), k) for p, k in sorted(paid.items(), reverse=True))


class Margin(Record):
    """How clearly a round was won: the winner's price per unit of utility and lower bounds on its rivals'.

    `before` bounds the projects the tie-break puts before the winner (they must cost strictly more),
    `after` those it puts after (they may cost the same); None when there is no such rival.
    """

    __slots__ = ("winner", "price", "before", "after")
    _fields = ("winner", "price", "before", "after")
    winner: int
    price: Key
    before: Key | None
    after: Key | None

    def __init__(self, winner: int, price: Key, before: Key | None, after: Key | None) -> None:
        init = object.__setattr__
        init(self, "winner", winner)
        init(self, "price", price)
        init(self, "before", before)
        init(self, "after", after)


class MesOutcome(Record):
    """Projects bought in order, the per-voter start budget and what supporters held at the end."""

    _fields = ("per_voter", "rounds", "held", "margins")
    _shown = _fields[:3]
    __setattr__ = object.__setattr__  # type: ignore[assignment] # not frozen
    __delattr__ = object.__delattr__  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]
    per_voter: Fraction
    rounds: list[MesRound]
    held: dict[str, Fraction]
    margins: list[Margin]
    rivals: list[tuple[Mapping[int, Key], Key | None]]  # with margins: every priced key per round, and a
    # lower bound on the keys of the projects left unpriced (None when none is left)

    def __init__(self, per_voter: Fraction, rounds: list[MesRound], held: dict[str, Fraction],
                 margins: list[Margin] | None = None) -> None:
        self.per_voter, self.rounds, self.held = per_voter, rounds, held
        self.margins = [] if margins is None else margins
        self.rivals = []

    @property
    def winners(self) -> list[str]:
        """Project ids in purchase order."""
        return [r.project for r in self.rounds]


def heap_entry(key: Fraction, i: int) -> tuple[float, Fraction, int]:
    """A heap entry ordering project i by its key: the float first (cheap), the exact key to settle ties."""
    return float(key), key, i
