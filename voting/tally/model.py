"""The election a tally runs on: projects, a budget, a vote type and ballots."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from itertools import chain, compress, count, filterfalse, repeat

from voting.tally.record import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `greenballot tally` must start fast
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "WITHDRAWN_COST",
    "Ballot",
    "Ballots",
    "Election",
    "ElectionError",
    "Numbers",
    "Project",
    "VoteType",
    "ballot_without",
]

WITHDRAWN_COST = Fraction(999_999_999)
"""Pabulib marks a project withdrawn after the vote with this artificial cost."""


class ElectionError(ValueError):
    """An election that cannot be tallied (unknown project, bad points, negative cost...)."""


class VoteType(StrEnum):
    """The kind of ballot voters cast, spelled as in Pabulib."""

    APPROVAL = "approval"
    CUMULATIVE = "cumulative"
    ORDINAL = "ordinal"
    CHOOSE_ONE = "choose-1"


class Project(Record):
    """A project voters can support: an id, a display name and its cost."""

    __slots__ = ("id", "cost", "name")
    _fields = ("id", "cost", "name")
    id: str
    cost: Fraction
    name: str

    def __init__(self, id: str, cost: Fraction, name: str = "") -> None:  # noqa: A002 - the field is `id`
        init = object.__setattr__
        init(self, "id", id)
        init(self, "cost", cost)
        init(self, "name", name)

    @property
    def withdrawn(self) -> bool:
        """True when Pabulib's withdrawn-project cost marks it out of the race."""
        return self.cost == WITHDRAWN_COST


class Ballot(Record):
    """One voter's ballot: project ids (in rank order for ordinal) and points for cumulative."""

    __slots__ = ("projects", "points")
    _fields = ("projects", "points")
    projects: tuple[str, ...]
    points: tuple[int, ...] | None

    def __init__(self, projects: tuple[str, ...], points: tuple[int, ...] | None = None) -> None:
        object.__setattr__(self, "projects", projects)
        object.__setattr__(self, "points", points)

    def __eq__(self, other: object) -> bool:  # written out: ballots are dictionary keys in hot loops
        if other.__class__ is not Ballot:
            return NotImplemented
        assert isinstance(other, Ballot)
        return self.projects == other.projects and self.points == other.points

    def __hash__(self) -> int:
        return hash((self.projects, self.points))


class Numbers:
    """The distinct ballots' projects as small numbers: what Equal Shares and Phragmén run on.

    Made once per read file, when a rule first asks (:meth:`arrays`; greedy never does), from the projects as the
    reader spelled them: ``flat`` holds every distinct ballot's projects one ballot after another, each as its
    place in ``order`` (the projects' ids), and ``lengths[g]`` how many distinct ballot ``g`` names; ``named[k]`` is
    how many distinct ballots name ``order[k]`` (the reader counted it). ``removed`` are ids left out
    (:meth:`Ballots.without`): a view shares the file's numbers, and drops those of removed projects when a rule
    asks for them (:meth:`incidence`, in numpy)."""

    __slots__ = ("_parts", "_spelled", "_arrays", "_root", "order", "named", "removed")

    def __init__(self, parts: Sequence[Sequence[Any]], spelled: dict[Any, str], named: Counter[Any]) -> None:
        self._parts, self._spelled = parts, spelled
        self._arrays: tuple[bytes | array[int], array[int]] | None = None
        self._root: Numbers | None = None  # a view's file numbers (None, not itself: no cycle for the collector)
        self.order = tuple(spelled.values())
        self.named = list(map(named.__getitem__, spelled))  # before `Ballots.approvals` adds the repeats to it
        self.removed: frozenset[str] = frozenset()

    def arrays(self) -> tuple[bytes | array[int], array[int]]:
        """``flat`` (bytes when there are at most 256 projects, else an array) and ``lengths``, made on first use
        for the file and its views: one C loop over the (distinct ballot, project) pairs."""
        root = self._root or self
        if root._arrays is None:
            number = dict(zip(root._spelled, count()))
            pairs = map(number.__getitem__, chain.from_iterable(root._parts))
            flat: bytes | array[int]
            if len(number) <= 256:
                flat = bytes(pairs)
            else:
                flat = array("H" if len(number) <= 2**16 else "I")
                flat.fromlist(list(pairs))
            lengths = array("I")
            lengths.fromlist(list(map(len, root._parts)))
            root._arrays, root._parts, root._spelled = (flat, lengths), (), {}
        return root._arrays

    def without(self, removed: set[str]) -> Numbers:
        """The same numbers with ``removed`` left out too."""
        view = object.__new__(Numbers)
        view._parts, view._spelled, view._arrays, view._root = (), {}, None, self._root or self
        view.order, view.named, view.removed = self.order, self.named, self.removed | removed
        return view

    def pairs(self) -> int:
        """How many (distinct ballot, project) pairs are left, from the reader's counts."""
        gone = self.removed
        return sum(n for pid, n in zip(self.order, self.named, strict=True) if pid not in gone)

    def incidence(self, index: dict[str, int]) -> tuple[Any, Any]:
        """numpy arrays: every distinct ballot's projects by their number in ``index``, one after another (32-bit
        when the numbers fit), and each ballot's number of them. Every project left must be in ``index``."""
        import numpy as np

        packed, counts = self.arrays()
        gone = self.removed
        table: Any = np.array([-1 if pid in gone else index.get(pid, -2) for pid in self.order],
                              dtype=np.int32 if len(index) < 2**31 else np.intp)
        kind = np.uint8 if isinstance(packed, bytes) else np.uint16 if packed.typecode == "H" else np.uint32
        flat: Any = table[np.frombuffer(packed, dtype=kind)]
        lengths = np.frombuffer(counts, dtype=np.uint32).astype(np.intp)
        if (table < 0).any():
            out = flat < 0
            if out.any():
                if (flat == -2).any():
                    raise KeyError(self.order[int(np.flatnonzero(table == -2)[0])])
                ballot = np.repeat(np.arange(len(lengths), dtype=np.intp), lengths)
                lengths -= np.bincount(ballot[out], minlength=len(lengths))
                flat = flat[~out]
        return flat, lengths


class Ballots(Sequence[Ballot]):
    """Every voter's ballot, compactly: the distinct ballots once, and per voter the number of theirs.

    A read file keeps 4 bytes per voter here instead of a tuple of strings; it reads as a tuple of ballots
    (indexing, slicing, iterating, comparing), and :meth:`counts` gives the grouped ballots without a pass
    over the voters. ``of_voter`` is any sequence of ints (an ``array('I')``); ``times[g]`` is how many voters
    cast distinct ballot ``g``. Approval-like ballots may be given as their project tuples only
    (``projects``): the :class:`Ballot` objects are then made when first asked for, and :meth:`approvals`
    (all that greedy and the tie-break need) never makes them; ``named``, when the reader counted it already, is
    how many of the ``projects`` name each project (each distinct ballot once).

    A reader may give the projects as they were spelled (UTF-8, ``spelled`` mapping each spelling to the project's
    id): the id strings are then made only when a rule asks for the groups (greedy needs only :meth:`approvals`),
    and the ballots are numbered once for the file, when Equal Shares or Phragmén first asks (:class:`Numbers`).
    """

    __slots__ = ("_distinct", "_projects", "_approvals", "_named", "_spelled", "_gone", "numbers", "of_voter",
                 "times")

    def __init__(self, distinct: Sequence[Ballot] | None, of_voter: Sequence[int], times: Sequence[int], *,
                 projects: Sequence[Sequence[Any]] | None = None, named: Counter[Any] | None = None,
                 spelled: dict[bytes, str] | None = None, numbers: Numbers | None = None,
                 gone: set[Any] | None = None) -> None:
        self._distinct = None if distinct is None else tuple(distinct)
        self._projects = projects
        self._approvals: dict[str, int] | None = None
        self._named = named if projects is not None else None
        self._spelled = spelled if projects is not None else None
        self._gone = gone if projects is not None else None  # left out of ``projects`` when they are first read
        if numbers is None and self._spelled is not None and self._named is not None and gone is None:
            numbers = Numbers(projects or (), self._spelled, self._named)  # numbered when a rule first asks
        self.numbers = numbers if projects is not None else None
        self.of_voter = of_voter
        self.times = times

    @property
    def distinct(self) -> tuple[Ballot, ...]:
        """The distinct ballots, in order of their first voter."""
        if self._distinct is None:
            self._distinct = tuple(map(Ballot, map(tuple, self._ids())))
            self._projects = None  # the Ballot objects hold them now
        return self._distinct

    def _parts(self) -> Sequence[Sequence[Any]]:
        """``projects`` as given (by spelling or by id), the projects left out by :meth:`without` taken out."""
        if self._gone is not None:  # filtered in C
            gone, self._gone = self._gone, None
            self._projects = list(map(list, map(filterfalse, repeat(gone.__contains__), self._projects or ())))
        return self._projects or ()

    def _ids(self) -> Sequence[Sequence[str]]:
        """The projects of each distinct ballot given by their projects, as id strings."""
        parts = self._parts()
        if self._spelled is not None:
            self._projects = list(map(list, map(map, repeat(self._spelled.__getitem__), parts)))
            self._spelled = None
        return self._projects or ()

    def groups(self) -> tuple[Sequence[Sequence[str]], Sequence[int]]:
        """The projects of each distinct ballot and how many voters cast it, without making Ballot objects when
        the ballots were given by their projects (two texts for one ballot stay two groups)."""
        if self._projects is not None:
            return self._ids(), self.times
        return [b.projects for b in self.distinct], self.times

    def approvals(self) -> dict[str, int]:
        """How many voters name each project (with points above zero), counted per distinct ballot."""
        if self._approvals is None:
            if self._projects is not None:
                groups: Sequence[Sequence[Any]] = self._parts()
            else:
                groups = [b.projects if b.points is None else tuple(p for p, u in zip(b.projects, b.points,
                                                                                          strict=True) if u > 0)
                          for b in self.distinct]
            counted = self._named if self._named is not None else Counter(chain.from_iterable(groups))
            self._named = None
            repeated = list(map((1).__ne__, self.times))  # the ballots cast more than once, picked in C
            for projects, times in zip(compress(groups, repeated), compress(self.times, repeated), strict=True):
                for pid in projects:
                    counted[pid] += times - 1
            if self._spelled is not None:  # counted by spelling
                own = self._spelled
                counted = Counter({own[name]: n for name, n in counted.items()})
            self._approvals = dict(counted)
        return self._approvals

    def __len__(self) -> int:
        return len(self.of_voter)

    def __getitem__(self, item):  # type: ignore[no-untyped-def, override]
        if isinstance(item, slice):
            return tuple(map(self.distinct.__getitem__, self.of_voter[item]))
        return self.distinct[self.of_voter[item]]

    def __iter__(self) -> Iterator[Ballot]:
        return map(self.distinct.__getitem__, self.of_voter)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (Ballots, tuple, list)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Ballots({len(self)} voters, {len(self.distinct)} distinct ballots)"

    def replaced(self, change: Callable[[Ballot], Ballot]) -> Ballots:
        """Every voter's ballot changed by ``change``, called once per distinct ballot."""
        return Ballots([change(b) for b in self.distinct], self.of_voter, self.times)

    def without(self, removed: set[str]) -> Ballots:
        """Every voter's ballot without the ``removed`` projects (points kept for the others), one distinct ballot
        at a time; ballots given by their projects stay so, and are filtered only when first read (their numbers
        and approval counts follow at once, without a pass over the ballots)."""
        if self._projects is not None:
            own = self._spelled
            gone = {name for name, pid in own.items() if pid in removed} if own is not None else set(removed)
            if self._gone is not None:
                gone |= self._gone
            numbers = None if self.numbers is None else self.numbers.without(removed)
            kept = Ballots(None, self.of_voter, self.times, projects=self._projects, spelled=own, numbers=numbers,
                           gone=gone)
            if self._approvals is not None:  # a voter's other approvals stay as they were
                kept._approvals = {pid: n for pid, n in self._approvals.items() if pid not in removed}
            return kept
        return self.replaced(lambda ballot: ballot_without(ballot, removed))

    def pairs(self) -> int:
        """How many (distinct ballot, project) pairs :meth:`groups` gives, without making them."""
        if self.numbers is not None:
            return self.numbers.pairs()
        return sum(map(len, self._parts() if self._projects is not None else self.groups()[0]))

    def numbered(self, index: dict[str, int]) -> list[list[int]]:
        """The projects of each distinct ballot (as :meth:`groups` gives them) by their number in ``index``: from
        their spellings when the ballots were given so, with no id string made."""
        if self._spelled is not None:
            number = {name: index[pid] for name, pid in self._spelled.items() if pid in index}  # kept ones
            return list(map(list, map(map, repeat(number.__getitem__), self._parts())))
        return list(map(list, map(map, repeat(index.__getitem__), self.groups()[0])))

    def incidence(self, index: dict[str, int]) -> tuple[Any, Any]:
        """numpy arrays: the projects of each distinct ballot by their number in ``index``, one ballot after
        another (32-bit when they fit), and how many each ballot names; from :class:`Numbers` when the reader
        numbered them."""
        if self.numbers is not None:
            return self.numbers.incidence(index)
        import numpy as np

        groups = self.numbered(index)
        lengths = np.fromiter(map(len, groups), dtype=np.intp, count=len(groups))
        flat = np.fromiter(chain.from_iterable(groups), dtype=np.int32 if len(index) < 2**31 else np.intp,
                           count=int(lengths.sum()))
        return flat, lengths

    def first_voters(self) -> list[int]:
        """For each distinct ballot, the first voter who cast it (by position)."""
        first: dict[int, int] = {}
        for voter, which in enumerate(self.of_voter):
            if which not in first:
                first[which] = voter
                if len(first) == len(self.distinct):
                    break
        return [first.get(g, 0) for g in range(len(self.distinct))]

    def counts(self) -> Counter[Ballot]:
        """Identical ballots grouped, with how many voters cast each (no pass over the voters)."""
        grouped: Counter[Ballot] = Counter()
        for ballot, times in zip(self.distinct, self.times, strict=True):
            if times:
                grouped[ballot] += times
        return grouped


class Election(Record):
    """A validated election; build it with :meth:`Election.build`."""

    _fields = ("projects", "budget", "vote_type", "ballots", "max_length", "threshold", "meta")
    _compared = _fields[:-1]
    projects: tuple[Project, ...]
    budget: Fraction
    vote_type: VoteType
    ballots: tuple[Ballot, ...] | Ballots
    max_length: int | None
    threshold: Fraction | None
    meta: dict[str, str]

    def __init__(self, projects: tuple[Project, ...], budget: Fraction, vote_type: VoteType,
                 ballots: tuple[Ballot, ...] | Ballots, max_length: int | None = None,
                 threshold: Fraction | None = None, meta: dict[str, str] | None = None) -> None:
        init = object.__setattr__
        init(self, "projects", projects)
        init(self, "budget", budget)
        init(self, "vote_type", vote_type)
        init(self, "ballots", ballots)
        init(self, "max_length", max_length)
        init(self, "threshold", threshold)
        init(self, "meta", {} if meta is None else meta)

    @classmethod
    def build(
        cls,
        projects: list[Project] | tuple[Project, ...],
        budget: int | Fraction | str,
        vote_type: VoteType | str,
        ballots: list[Ballot] | tuple[Ballot, ...] | Ballots,
        *,
        max_length: int | None = None,
        threshold: int | Fraction | None = None,
        meta: dict[str, str] | None = None,
    ) -> Election:
        """Check and freeze an election built from plain in-memory data."""
        kind = VoteType(vote_type)
        money = Fraction(budget)
        if money < 0:
            raise ElectionError(f"budget must not be negative, got {budget}")
        ids: set[str] = set()
        for project in projects:
            if project.id in ids:
                raise ElectionError(f"project {project.id!r} appears twice")
            if project.cost < 0:
                raise ElectionError(f"project {project.id!r} has a negative cost")
            ids.add(project.id)
        if isinstance(ballots, Ballots):  # each distinct ballot checked once, numbered by its first voter
            for ballot, first in zip(ballots.distinct, ballots.first_voters(), strict=True):
                _check_ballot(ballot, kind, ids, first + 1)
        else:
            for number, ballot in enumerate(ballots, start=1):
                _check_ballot(ballot, kind, ids, number)
        return cls(
            tuple(projects),
            money,
            kind,
            ballots if isinstance(ballots, Ballots) else tuple(ballots),
            max_length,
            None if threshold is None else Fraction(threshold),
            dict(meta or {}),
        )

    @cached_property
    def project_by_id(self) -> dict[str, Project]:
        """Projects indexed by id."""
        return {project.id: project for project in self.projects}

    @cached_property
    def ballot_counts(self) -> Counter[Ballot]:
        """Identical ballots grouped, with how many voters cast each."""
        if isinstance(self.ballots, Ballots):
            return self.ballots.counts()
        return Counter(self.ballots)

    @property
    def voters(self) -> int:
        """Number of ballots cast, empty ones included."""
        return len(self.ballots)


def ballot_without(ballot: Ballot, removed: set[str]) -> Ballot:
    """The ballot without the ``removed`` projects (and their points)."""
    if not removed.intersection(ballot.projects):
        return ballot
    kept = [n for n, pid in enumerate(ballot.projects) if pid not in removed]
    points = None if ballot.points is None else tuple(ballot.points[n] for n in kept)
    return Ballot(tuple(ballot.projects[n] for n in kept), points)


def _check_ballot(ballot: Ballot, kind: VoteType, ids: set[str], number: int) -> None:
    chosen = ballot.projects
    if len(set(chosen)) != len(chosen):
        raise ElectionError(f"ballot {number} names a project twice")
    unknown = [p for p in chosen if p not in ids]
    if unknown:
        raise ElectionError(f"ballot {number} names unknown project {unknown[0]!r}")
    if kind is VoteType.CUMULATIVE:
        if ballot.points is None or len(ballot.points) != len(chosen):
            raise ElectionError(f"ballot {number} needs one number of points per project")
        if any(p < 0 for p in ballot.points):
            raise ElectionError(f"ballot {number} gives negative points")
    elif ballot.points is not None:
        raise ElectionError(f"ballot {number} has points but the vote type is {kind}")
    if kind is VoteType.CHOOSE_ONE and len(chosen) > 1:
        raise ElectionError(f"ballot {number} chooses {len(chosen)} projects, at most 1 allowed")
