"""Sequential Phragmén: voters earn money continuously; a project is bought once its supporters can pay.

As in pabutools, the rule stops as soon as a project tied for the lowest load no longer fits.

Loads are exact (integers over one shared denominator, per load class). Identical ballots are grouped; which
class each group is in, and the winner's supporters moving to a new class, are numpy index arrays: the move
touches every (supporter, project it approves) pair, and doing that in C is what keeps large files fast.
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Sequence
from fractions import Fraction
from itertools import chain
from math import gcd, lcm
from operator import mul

from voting.tally.model import Ballots, Election, VoteType
from voting.tally.result import Explanation, TallyResult, number
from voting.tally.tiebreak import tie_key

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

__all__ = ["SMALL", "SMALL_WITHOUT_NUMPY", "phragmen"]


SMALL = 20_000
"""Elections with at most this many (distinct ballot, project) pairs run in plain Python when numpy is loaded."""
SMALL_WITHOUT_NUMPY = 200_000
"""The same bound in a process that has not loaded numpy (a `greenballot tally` command): numpy's import, about
60 ms of CPU, outweighs plain Python's slower moves up to about this many pairs (Łódź 2022, 110,000 pairs: 42 ms
in plain Python, 28 ms with numpy plus its import; Budapest 2024, 256,000 pairs: about even)."""


def _plain(pairs: int) -> bool:
    """True when plain Python is the cheaper way to run an election of ``pairs`` (ballot, project) pairs."""
    return pairs <= (SMALL if "numpy" in sys.modules else SMALL_WITHOUT_NUMPY)


def phragmen(election: Election, chain: tuple[str, ...]) -> TallyResult:
    """Sequential Phragmén on approval (or choose-1) ballots."""
    if election.vote_type not in (VoteType.APPROVAL, VoteType.CHOOSE_ONE):
        raise ValueError(f"phragmen does not support {election.vote_type} ballots")
    projects = election.projects
    index = {p.id: i for i, p in enumerate(projects)}
    ballots = _ballots(election, index)
    approvals = ballots.approvals
    key = tie_key(chain, election)
    rank = {i: r for r, i in enumerate(sorted(range(len(projects)), key=lambda i: key(projects[i])))}
    base = den = lcm(*(p.cost.denominator for p in projects)) if projects else 1
    loads = [0]  # load of each class, as integers over `den`
    held: Any = ballots.held(loads)  # the load each project's supporters hold, weighted by voters (over `den`)
    cost = [int(p.cost * den) for p in projects]  # over `base`: times den // base over `den`, when priced
    left = election.budget
    remaining = {i for i, p in enumerate(projects) if not p.withdrawn and p.cost <= left}
    notes: dict[str, Explanation] = {}
    chosen: list[str] = []
    stopped_at: str | None = None
    # every supported project keyed by a lower bound on its load (held + cost) / approvals: loads only rise
    heap = [(cost[i] / (approvals[i] * den), i) for i in remaining if approvals[i]]
    heapq.heapify(heap)
    while remaining:
        seen = _lowest(heap, remaining, held, cost, approvals, den, den // base)
        top, under = (seen[0][1], seen[0][2]) if seen else (0, 0)
        tied = [i for i, load, votes, _ in seen if load * under == top * votes]
        if not under:
            tied = list(remaining)  # nobody supports what is left: all tied at an infinite load
        if any(projects[i].cost > left for i in tied):
            stopped_at = projects[min((i for i in tied if projects[i].cost > left), key=rank.__getitem__)].id
            break
        winner = min(tied, key=rank.__getitem__)
        remaining.discard(winner)
        for i, _, _, bound in seen:
            if i != winner:
                heapq.heappush(heap, (bound, i))
        project = projects[winner]
        left -= project.cost
        chosen.append(project.id)
        best = Fraction(top, under * den) if under else None
        if best is not None:
            scale = best.denominator // gcd(best.denominator, den)
            if scale != 1:
                den *= scale
                loads[:] = [v * scale for v in loads]
                ballots.rescale(held, scale)
            loads.append(best.numerator * den // best.denominator)
            ballots.move(winner, held, loads, len(loads) - 1)
        facts = {"round": len(chosen), "cost": number(project.cost), "left": number(left)}
        if best is not None:
            facts["load"] = number(best)
        notes[project.id] = Explanation(project.id, "phragmen-selected", True, facts)
    for p in projects:
        if p.id in notes:
            continue
        facts = {"cost": number(p.cost), "supporters": approvals[index[p.id]]}
        if p.withdrawn:
            notes[p.id] = Explanation(p.id, "withdrawn", False, facts)
        elif p.id == stopped_at or p.cost > left:
            notes[p.id] = Explanation(p.id, "over-budget", False, {**facts, "left": number(left)})
        else:
            notes[p.id] = Explanation(p.id, "not-reached", False, {**facts, "stopped_at": stopped_at})
    total = sum((election.project_by_id[p].cost for p in chosen), Fraction(0))
    explanations = tuple(notes[p.id] for p in projects)
    return TallyResult("phragmen", chain, election.budget, tuple(chosen), total, explanations)


def _lowest(heap: list[tuple[float, int]], remaining: set[int], held: Sequence[int], cost: list[int],
            approvals: list[int], den: int, factor: int) -> list[tuple[int, int, int, float]]:
    """The projects popped from `heap` that may have the lowest load, the lowest first: (project, load numerator,
    approvals, its float), loads compared exactly by cross-multiplying integers. `cost` is over the first
    denominator, `factor` times smaller than `den`: only the projects priced are scaled, not every one each time
    the denominator grows. A heap entry is the correctly
    rounded float of a load the project had (a lower bound: loads only rise); a float never reverses the order of
    two exact values, so every project not popped has a load above the lowest. Empty when none is supported."""
    seen: list[tuple[int, int, int, float]] = []
    best: tuple[int, int] | None = None
    best_float = 0.0
    while heap and (best is None or heap[0][0] <= best_float):
        _, i = heapq.heappop(heap)
        if i not in remaining:
            continue  # bought
        load, votes = held[i] + cost[i] * factor, approvals[i]
        now = load / (votes * den)
        if best is not None and now > best_float:
            heapq.heappush(heap, (now, i))  # its load has risen above the lowest
            continue
        if best is None or load * best[1] < best[0] * votes:
            best, best_float = (load, votes), now
            seen.insert(0, (i, load, votes, now))
        else:
            seen.append((i, load, votes, now))
    return seen


def _ballots(election: Election, index: dict[str, int]) -> _Groups | _Incidence:
    """Identical ballots grouped (the projects of each group by number, and its number of voters), in plain Python
    or in numpy as their number of (group, project) pairs makes cheaper."""
    if isinstance(election.ballots, Ballots):  # a read file: its distinct ballots as they are, no Counter
        ballots = election.ballots
        if _plain(ballots.pairs()):
            return _Groups(ballots.numbered(index), ballots.times, index)
        flat, lengths = ballots.incidence(index)  # numbered by the reader
        return _Incidence(flat, lengths, ballots.times, index)
    counted = election.ballot_counts
    groups, times = [[index[pid] for pid in b.projects] for b in counted], list(counted.values())
    if _plain(sum(map(len, groups))):
        return _Groups(groups, times, index)
    lengths = [len(g) for g in groups]
    return _Incidence(list(chain.from_iterable(groups)), lengths, times, index)


class _Groups:
    """Identical ballots grouped, in plain Python: the projects each group approves, its voters, its load class,
    and each project's supporting groups and approval count."""

    def __init__(self, groups: list[list[int]], times: Sequence[int], index: dict[str, int]) -> None:
        self.groups = groups
        self.weight = list(times)
        self.cls = [0] * len(self.groups)
        self.supp: list[list[int]] = [[] for _ in index]
        self.approvals = [0] * len(index)
        for g, (projects, k) in enumerate(zip(self.groups, self.weight, strict=True)):
            for q in projects:
                self.supp[q].append(g)
                self.approvals[q] += k

    def held(self, loads: list[int]) -> list[int]:
        """What each project's supporters hold (all nothing at first), kept up to date by :meth:`move`."""
        return [0] * len(self.supp)

    @staticmethod
    def rescale(held: list[int], scale: int) -> None:
        """The denominator grew ``scale`` times."""
        held[:] = [v * scale for v in held]

    def move(self, winner: int, held: list[int], loads: list[int], new: int) -> None:
        """Give the winner's supporters the load class `new`, updating what each project's supporters hold."""
        cls, weight, groups, now = self.cls, self.weight, self.groups, loads[new]
        for g in self.supp[winner]:
            change = (now - loads[cls[g]]) * weight[g]
            cls[g] = new
            for q in groups[g]:
                held[q] += change


class _Incidence:
    """Identical ballots grouped, as numpy arrays: the projects each group approves (CSR), its weight (voters),
    its load class; each project's supporting groups and approval count; and how many of each project's supporters
    are in each load class (``count``). A move updates the counts in numpy; what a project's supporters hold is
    computed from them only for the projects the rule prices (:class:`_Held`), so no Python loop runs over
    (class, project) pairs."""

    def __init__(self, flat: Any, lengths: Any, times: Sequence[int], index: dict[str, int]) -> None:
        """``flat``: every group's projects one group after another; ``lengths``: how many each group has."""
        import numpy as np

        self.np = np
        lengths = np.asarray(lengths, dtype=np.int64)
        groups = len(lengths)
        self.start = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        self.length = lengths
        self.flat = np.asarray(flat, dtype=np.int64)
        self.weight = np.fromiter(times, dtype=np.int64, count=groups)
        self.cls = np.zeros(groups, dtype=np.int64)
        self.projects = len(index)
        group_of = np.repeat(np.arange(groups, dtype=np.int64), lengths)
        small = np.int16 if self.projects < 2**15 else np.int64  # a stable sort of 16-bit keys is a radix sort
        order = np.argsort(self.flat.astype(small), kind="stable")
        sizes = np.bincount(self.flat, minlength=self.projects)
        self.supp = np.split(group_of[order], np.cumsum(sizes)[:-1])  # each project's groups, in ballot order
        weights = np.bincount(self.flat, weights=np.repeat(self.weight, lengths).astype(np.float64),
                              minlength=self.projects)
        self.approvals: list[int] = [int(a) for a in weights.tolist()]  # exact: sums stay below 2**53
        # class c's supporters of each project; a class per purchase at most, and class 0 (load 0) to start
        self.count = np.zeros((self.projects + 1, self.projects), dtype=np.int64)
        self.count[0] = weights.astype(np.int64)

    def held(self, loads: list[int]) -> _Held:
        """What each project's supporters hold, computed when asked from the counts and ``loads`` (the list the
        rule keeps up to date)."""
        return _Held(self.count, loads)

    @staticmethod
    def rescale(held: _Held, scale: int) -> None:
        """The denominator grew ``scale`` times: the loads say so already."""

    def move(self, winner: int, held: _Held, loads: list[int], new: int) -> None:
        """Give the winner's supporters the load class `new`: the counts of the classes they leave and join."""
        np = self.np
        members = self.supp[winner]
        lengths = self.length[members]
        ends = np.cumsum(lengths)
        at = np.repeat(self.start[members] - ends + lengths, lengths) + np.arange(int(ends[-1]) if len(ends) else 0)
        touched = self.flat[at]
        weights = np.repeat(self.weight[members], lengths).astype(np.float64)  # exact: sums stay below 2**53
        before = np.repeat(self.cls[members], lengths)
        size = new * self.projects
        leaving = np.bincount(before * self.projects + touched, weights=weights, minlength=size)[:size]
        self.count[:new] -= leaving.astype(np.int64).reshape(new, self.projects)
        self.count[new] = np.bincount(touched, weights=weights, minlength=self.projects).astype(np.int64)
        self.cls[members] = new


class _Held(Sequence[int]):
    """What each project's supporters hold: the loads of the classes times their numbers of its supporters."""

    def __init__(self, count: Any, loads: list[int]) -> None:
        self._count, self._loads = count, loads

    def __len__(self) -> int:
        return int(self._count.shape[1])

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        return sum(map(mul, self._loads, self._count[:len(self._loads), i].tolist()))
