"""Method of Equal Shares: voters get equal budgets and buy the projects they like, cheapest share first.

Exact arithmetic without fractions in the inner loops. Every voter belongs to a budget class (the history
of what they paid); a class's money is an integer over a denominator shared by all classes. Per-voter work
runs in numpy: voter-to-class membership is an integer array, counting a project's supporters per class is
one `bincount`, and paying moves every supporter at once through a lookup table (supporters of one class,
and one number of points, pay the same and move to the same new class).

Prices are located with floats, then proven. Each round, every project that may win gets float bounds
on its price, checked with a bound on the rounding (`_quote`); only the projects whose bounds reach the
lowest upper bound get their exact price (`_exact`), so the winner and every tie are decided exactly and
the others keep a proven lower bound. Results are those of the plain exact loop (`_settle`).
"""

from __future__ import annotations

import bisect
import heapq
from fractions import Fraction
from math import lcm

from voting.tally.mes_types import Margin, MesOutcome, MesRound, Reach, heap_entry
from voting.tally.model import Ballots, Election, VoteType
from voting.tally.tiebreak import tie_key

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

    from voting.tally.mes_probe import Probe

__all__ = ["Margin", "MesOutcome", "MesProfile", "MesRound"]


class MesProfile:
    """An election prepared for MES runs: approval counts cost as utility, cumulative counts points.

    Supporters are numpy index arrays; for cumulative ballots `points[i]` indexes `levels`, the distinct
    numbers of points, in the same order as `supp[i]`.
    """

    def __init__(self, election: Election, chain: tuple[str, ...]) -> None:
        import numpy as np  # here, not at the top: the command line must start fast

        if election.vote_type not in (VoteType.APPROVAL, VoteType.CHOOSE_ONE, VoteType.CUMULATIVE):
            raise ValueError(f"equal shares does not support {election.vote_type} ballots")
        self.cumulative = election.vote_type is VoteType.CUMULATIVE
        self.index = index = {p.id: i for i, p in enumerate(election.projects)}  # project id -> its number
        self.voters = election.voters
        util: list[list[int]] = [[] for _ in election.projects]
        if not self.cumulative and isinstance(election.ballots, Ballots):
            self.supp = _supporters(np, election.ballots, index)  # a read file: built in numpy, not per voter
        else:
            lists: list[list[int]] = [[] for _ in election.projects]
            for voter, ballot in enumerate(election.ballots):
                if ballot.points is None:
                    for pid in ballot.projects:
                        lists[index[pid]].append(voter)
                    continue
                for pid, u in zip(ballot.projects, ballot.points, strict=True):
                    if u > 0:
                        lists[index[pid]].append(voter)
                        util[index[pid]].append(u)
            self.supp = [np.array(s, dtype=np.intp) for s in lists]
        self.levels = sorted({u for us in util for u in us}) or [1]
        level = {u: j for j, u in enumerate(self.levels)}
        self.points = [np.array([level[u] for u in us], dtype=np.intp) for us in util] if self.cumulative else []
        self.level_array = np.array(self.levels, dtype=np.int64)
        self.total_util = [sum(us) for us in util] if self.cumulative else [len(s) for s in self.supp]
        self.ids = [p.id for p in election.projects]
        self.cost = [p.cost for p in election.projects]
        self.cost_float = [float(c) for c in self.cost]
        self.unit = [Fraction(1) if self.cumulative else p.cost for p in election.projects]
        key = tie_key(chain, election)
        order = sorted(range(len(self.ids)), key=lambda i: key(election.projects[i]))
        self.tie_rank = {i: r for r, i in enumerate(order)}
        self.eligible = [
            i for i, p in enumerate(election.projects) if p.cost > 0 and not p.withdrawn and self.total_util[i]
        ]
        self.cost_den = lcm(*(c.denominator for c in self.cost)) if self.cost else 1
        # every project keyed by a lower bound on its price (all its supporters paying): a heap
        self._facts: list[tuple[Any, int, float, float]] | None = None
        self._probe_entries: tuple[list[float], list[tuple[float, int]]] | None = None
        self._probe_arrays: tuple[list[Any], Any, Any, Any, Any] | None = None
        self.bounds = [heap_entry(Fraction(self.cost[i], self.total_util[i]) / self.unit[i], i) for i in self.eligible]
        heapq.heapify(self.bounds)

    def candidates(self, per_voter: float) -> list[tuple[float, Fraction, int]]:
        """The entries of `bounds` a run from this start budget may buy: the others cost more than all their
        supporters hold even if each paid the whole start budget (a float check far outside float rounding)."""
        most, slack = per_voter, 1 - 1e-9
        return [e for e in self.bounds if len(self.supp[e[2]]) * most >= self.cost_float[e[2]] * slack]

    def probe_heap(self, per_voter: float) -> list[tuple[float, int]]:
        """What `candidates` keeps, as a float probe's heap entries (a proven lower bound on the key, the project),
        in no particular order: a prefix of the projects by cost per supporter, found by bisection (the same test
        as `candidates`, divided through: an ulp's difference cannot matter, it is 1e-9 outside rounding)."""
        if self._probe_entries is None:
            from voting.tally.probe_floats import ULP

            entries = sorted((self.cost_float[e[2]] * (1 - 1e-9) / len(self.supp[e[2]]), e[0] * (1 - 4 * ULP), e[2])
                             for e in self.bounds if len(self.supp[e[2]]))
            self._probe_entries = ([e[0] for e in entries], [(e[1], e[2]) for e in entries])
        thresholds, heap = self._probe_entries
        return heap[: bisect.bisect_right(thresholds, per_voter)]

    def probe_arrays(self) -> tuple[list[Any], Any, Any, Any, Any]:
        """What the compiled probe loop reads (`voting.tally._probe.loop`): the supporters of `facts`, and per project
        its cost as a float, the bound on a sum's rounding, the least whole start budget at which its supporters
        can pay it together, and its tie-break rank."""
        if self._probe_arrays is None:
            import numpy as np

            facts = self.facts()
            need = [min(-(-self.cost[i] // f[1]), 2**62) if f[1] else 2**62 for i, f in enumerate(facts)]
            self._probe_arrays = ([f[0] for f in facts], np.array([f[2] for f in facts]),
                                  np.array([f[3] for f in facts]), np.array(need, dtype=np.int64),
                                  np.array([self.tie_rank[i] for i in range(len(facts))], dtype=np.int64))
        return self._probe_arrays

    def facts(self) -> list[tuple[Any, int, float, float]]:
        """Per project, what a float probe reads each time it prices it: supporters, how many, cost as a float,
        and the bound on the rounding of a sum over them (`voting.tally.mes_probe.sum_bound`).

        The supporters are numbered for the probe alone (`_by_ballot`): voters who approve the same popular
        projects sit side by side, so that reading a project's supporters' money reads whole stretches of memory.
        A probe says nothing about single voters, so its numbering is its own."""
        if self._facts is None:
            import numpy as np

            from voting.tally.mes_probe import sum_bound

            supp = self.supp if self.cumulative else _by_ballot(np, self.supp, self.voters)
            self._facts = [(s, len(s), c, sum_bound(len(s))) for s, c in zip(supp, self.cost_float, strict=True)]
        return self._facts

    def run(self, per_voter: Fraction, margins: bool = False, held: bool = True, reach: Reach = ()) -> MesOutcome:
        """Run MES from this start budget per voter; with margins, record how clearly each round was won.

        `reach` is another run's (winner, price) per round: while this run buys the same projects, round t
        prices every rival up to `reach[t]`'s price (not only up to its own winner's), so its margins bound
        the rivals by at least that much.
        """
        from voting.tally.mes_run import MesRun

        return MesRun(self, Fraction(per_voter), margins, reach).result(held)

    def probe(self, per_voter: Fraction, reach: Reach = ()) -> Probe | None:
        """`run(per_voter, margins=True, held=False, reach=reach)` in proven floats, or None where floats cannot
        prove every decision (see `voting.tally.mes_probe`): cheaper, for Add1's search."""
        from voting.tally.mes_probe import probe

        return probe(self, Fraction(per_voter), reach)


def _by_ballot(np: Any, supp: list[Any], voters: int) -> list[Any]:
    """The supporters renumbered so that voters sit in the order of their approvals of the 63 most supported
    projects (the most supported first): each of the big projects' supporters then fill a few stretches of
    numbers, where the reader's numbering scatters them (each array still increasing)."""
    if not voters:
        return supp
    key = np.zeros(voters, dtype=np.uint64)
    popular = sorted(range(len(supp)), key=lambda i: -len(supp[i]))[:63]
    for bit, i in enumerate(popular):
        key[supp[i]] |= np.uint64(1 << (62 - bit))
    label = np.empty(voters, dtype=np.intp)
    label[np.argsort(~key, kind="stable")] = np.arange(voters, dtype=np.intp)
    return [np.sort(label[s]) for s in supp]


def _supporters(np: Any, ballots: Ballots, index: dict[str, int]) -> list[Any]:
    """Each project's supporters (voter numbers, increasing) from the distinct approval ballots, in numpy.

    The arrays of (voter, project) pairs are 32-bit when the numbers fit: a million voters make about four million
    pairs, and 64-bit ones set the command's peak memory (225 MiB for Łódź 2022 repeated to 1.09 M voters; 165)."""
    flat, lengths = ballots.incidence(index)  # numbered by the reader: no Python loop over the ballots here
    starts = np.cumsum(lengths) - lengths
    of_voter = np.asarray(ballots.of_voter, dtype=np.intp)
    per_voter = lengths[of_voter]
    ends = np.cumsum(per_voter)
    pairs = int(ends[-1]) if len(ends) else 0
    narrow = np.int32 if max(pairs, len(of_voter)) < 2**31 else np.intp
    voter = np.repeat(np.arange(len(of_voter), dtype=narrow), per_voter)
    at = np.repeat((starts[of_voter] - ends + per_voter).astype(narrow), per_voter)
    at += np.arange(pairs, dtype=narrow)
    project = flat[at]
    del at
    small = np.int16 if len(index) < 2**15 else np.intp  # a stable sort of 16-bit keys is a radix sort
    order = np.argsort(project.astype(small), kind="stable")
    sizes = np.bincount(project, minlength=len(index))
    del project
    return [part.astype(np.intp) for part in np.split(voter[order], np.cumsum(sizes)[:-1])]
