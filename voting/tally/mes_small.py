"""Method of Equal Shares on a small approval election, in plain Python (importing numpy would cost more).

Voters who cast the same ballot always hold the same money, so the run keeps one budget per distinct ballot, as
an integer over a denominator shared by all. Prices are exact (water-filling, as in
:func:`voting.tally.mes_price.settle`); projects are priced in order of a lower bound on their price per unit
of utility (prices only rise as money is spent), so each round prices only the projects that may win or tie.
Results, explanations included, are those of :class:`voting.tally.equalshares.MesProfile`.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from fractions import Fraction
from math import gcd, lcm

from voting.tally.mes_types import MesOutcome, MesRound
from voting.tally.model import Ballots, Election, VoteType
from voting.tally.tiebreak import tie_key

__all__ = ["SMALL", "fits", "mes_small"]

SMALL = 20_000
"""Approval elections with at most this many (distinct ballot, project) pairs run here."""


def fits(election: Election) -> bool:
    """True when `election` is an approval election small enough for :func:`mes_small`."""
    if election.vote_type not in (VoteType.APPROVAL, VoteType.CHOOSE_ONE):
        return False
    return sum(map(len, _groups(election)[0])) <= SMALL


def _groups(election: Election) -> tuple[Sequence[Sequence[str]], Sequence[int]]:
    """Identical ballots grouped: the projects of each group and its number of voters."""
    if isinstance(election.ballots, Ballots):  # a read file: its distinct ballots as they are, no Counter
        return election.ballots.groups()
    counted = election.ballot_counts
    return [b.projects for b in counted], list(counted.values())


def mes_small(election: Election, chain: tuple[str, ...], per_voter: Fraction) -> MesOutcome:
    """Equal Shares with `per_voter` currency units each; cost is the utility (approval ballots only).

    Money is exact: group g holds ``money[g] * grown[epoch[g]]`` units of 1/`den`, where ``grown[e]`` is how much
    the denominator has grown since epoch e (a round whose share is not a whole unit multiplies `den`; only the
    groups that pay are rewritten in the new unit, the others keep their epoch). Prices per unit of utility,
    rest / (total * cost), are compared exactly by cross-multiplying integers; the heap of lower bounds orders
    projects by the correctly rounded float of theirs, which never reverses the order of two exact values, so no
    project that could win or tie is left unpriced."""
    projects = election.projects
    index = {p.id: i for i, p in enumerate(projects)}
    texts, times = _groups(election)
    weight = list(times)
    supp: list[list[int]] = [[] for _ in projects]
    voters = [0] * len(projects)
    for g, (chosen, k) in enumerate(zip(texts, weight, strict=True)):
        for pid in chosen:
            supp[index[pid]].append(g)
            voters[index[pid]] += k
    key = tie_key(chain, election)
    rank = {i: r for r, i in enumerate(sorted(range(len(projects)), key=lambda i: key(projects[i])))}
    den = lcm(per_voter.denominator, *(p.cost.denominator for p in projects))
    money = [int(per_voter * den) if per_voter > 0 else 0] * len(weight)
    epoch = [0] * len(weight)
    grown = [1]  # grown[e]: den now / den at epoch e
    base = [int(p.cost * den) for p in projects]  # in units of the first den; now: base * grown[0]
    # a lower bound on each project's price per unit of utility (paid by all its supporters): 1 / supporters
    heap = [(1 / voters[i], i) for i, p in enumerate(projects) if p.cost > 0 and not p.withdrawn and voters[i]]
    heapq.heapify(heap)
    rounds: list[MesRound] = []
    while heap:
        best: tuple[int, int] | None = None  # the lowest price so far, as (numerator, denominator)
        best_float = 0.0
        priced: dict[int, tuple[int, int, int]] = {}  # project: (rest, total, cost now)
        while heap and (best is None or heap[0][0] <= best_float):
            _, i = heapq.heappop(heap)
            cost = base[i] * grown[0]
            price = _price(cost, [(money[g] * grown[epoch[g]], weight[g]) for g in supp[i]])
            if price is None:
                continue  # unaffordable now, so for ever
            rest, total = price
            if best is None or rest * best[1] < best[0] * total * cost:
                best, best_float = (rest, total * cost), rest / (total * cost)
            priced[i] = (rest, total, cost)
        if best is None:
            break
        winner = min((i for i, (rest, total, cost) in priced.items() if rest * best[1] == best[0] * total * cost),
                     key=rank.__getitem__)
        for i, (rest, total, cost) in priced.items():
            if i != winner:
                heapq.heappush(heap, (rest / (total * cost), i))
        rest, total, _ = priced[winner]
        scale = total // gcd(rest, total)
        if scale != 1:
            den *= scale
            grown = [g * scale for g in grown] + [1]
        now = len(grown) - 1
        share = rest * scale // total
        paid: dict[int, int] = {}
        for g in supp[winner]:
            have = money[g] * grown[epoch[g]]
            if not have:
                continue
            pays = have if have <= share else share
            money[g], epoch[g] = have - pays, now
            paid[pays] = paid.get(pays, 0) + weight[g]
        rounds.append(MesRound(projects[winner].id, len(rounds) + 1, Fraction(share, den), tuple(paid),
                               tuple(paid.values()), den))
    held = {p.id: Fraction(sum(money[g] * grown[epoch[g]] * weight[g] for g in supp[i]), den)
            for i, p in enumerate(projects)}
    return MesOutcome(per_voter, rounds, held)


def _price(cost: int, have: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The share each supporter pays (rest / total, in money units), the poorer paying all they hold; None when
    they cannot pay `cost` together (every one of them would pay all they hold and some cost would remain)."""
    have.sort()
    rest, total = cost, sum(k for m, k in have if m)
    for m, k in have:
        if not m:
            continue
        if m * total < rest:
            rest -= m * k
            total -= k
        else:
            return rest, total
    return None
