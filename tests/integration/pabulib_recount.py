"""Test oracle: pabutools recounts an exported `election.pb` from what its META says (rule, tie-break,
satisfaction, completion, threshold), nothing else."""

from __future__ import annotations

from fractions import Fraction

from pabutools.election import (
    AdditiveSatisfaction,
    Cost_Sat,
    Instance,
)
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule

from voting.results.exports import recorded_tie_break
from voting.results.pbexport import recorded_recount
from voting.tally import parse_pabulib

__all__ = ["pabutools_recount"]


def _points_times_cost(instance, profile, ballot, project, precomputed):  # noqa: ANN001
    return int(ballot.get(project, 0)) * project.cost


class _PointsSat(AdditiveSatisfaction):
    """Greedy by points: pabutools divides the satisfaction by the cost."""

    def __init__(self, instance, profile, ballot):  # noqa: ANN001
        super().__init__(instance, profile, ballot, _points_times_cost)


class _PointsMesSat(AdditiveSatisfaction):
    def __init__(self, instance, profile, ballot):  # noqa: ANN001
        super().__init__(instance, profile, ballot, lambda i, p, b, project, pre: int(b.get(project, 0)))


def _rank_points_times_cost(instance, profile, ballot, project, precomputed):  # noqa: ANN001
    return (len(ballot) - ballot.index(project)) * project.cost if project in ballot else 0


class _RankSat(AdditiveSatisfaction):
    """Greedy by rank points (L - rank + 1, L the ballot's length): a sum over the projects, so pabutools takes
    its additive greedy (one ordering) instead of recomputing every voter's satisfaction each round."""

    def __init__(self, instance, profile, ballot):  # noqa: ANN001
        super().__init__(instance, profile, ballot, _rank_points_times_cost)


def _tie_breaking(chain: str, supporters: dict[str, int]) -> TieBreakingRule:
    def key(instance, profile, project):  # noqa: ANN001
        parts: list = []
        for name in chain.split(","):
            parts.append({"min-cost": project.cost, "max-cost": -project.cost,
                          "max-votes": -supporters[project.name], "lexico": project.name}[name])
        return (*parts, project.name)

    return TieBreakingRule(key)


def _checker_add1(text: str) -> set[str] | None:
    """pabulib-checker's Equal Shares with Add1 (equalshares.net's definition), None when it cannot say."""
    import contextlib
    import io

    from pabulib.checker import Checker
    from pabulib_helpers import parse_pb_lines

    checker = Checker()
    checker.meta, checker.projects, checker.votes, _, _ = parse_pb_lines(text.split("\n"))
    approvers = checker._build_approval_approvers()
    costs = {pid: float(row["cost"]) for pid, row in checker.projects.items()}
    if sum(cost for pid, cost in costs.items() if approvers.get(pid)) <= float(checker.meta["budget"]):
        return None  # every supported project fits: the checker's loop would never end
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return set(checker._compute_equalshares_winners(add1=True))
    except ValueError:
        return None


def pabutools_recount(text: str) -> set[str] | None:
    """pabutools' selection for the export, or None for a rule pabutools does not implement (IRV, plurality)."""
    pb = parse_pabulib(text)
    rule, share = recorded_recount(pb.meta)
    chain = recorded_tie_break(pb.meta)
    instance, profile = parse_pabulib_from_string(text)
    vote_type = pb.meta["vote_type"]
    election = pb.election()
    supporters = {p.id: 0 for p in election.projects}
    scores = {p.id: 0 for p in election.projects}
    for ballot in election.ballots:
        for n, pid in enumerate(ballot.projects):
            given = ballot.points[n] if ballot.points is not None else (
                len(ballot.projects) - n if vote_type == "ordinal" else 1)
            supporters[pid] += 1 if given else 0
            scores[pid] += given
    threshold = Fraction(pb.meta.get("min_project_score_threshold", "0").replace(",", "."))
    voters = len(election.ballots)
    fundable = [p for p in instance if scores[p.name] >= threshold and
                (not share or supporters[p.name] * 100 >= share * voters) and p.cost != 999999999]
    reduced = Instance(fundable, budget_limit=instance.budget_limit)
    ties = _tie_breaking(chain, supporters)
    if rule.startswith("greedy"):
        if rule == "greedy-no-skip":
            return None
        sat = {"cumulative": _PointsSat, "ordinal": _RankSat}.get(vote_type, Cost_Sat)
        chosen = greedy_utilitarian_welfare(reduced, profile, sat_class=sat, tie_breaking=ties)
    elif rule in ("equalshares", "equalshares/add1", "equalshares/add1/greedy"):
        sat = _PointsMesSat if vote_type == "cumulative" else Cost_Sat
        add1 = rule.startswith("equalshares/add1")
        chosen = method_of_equal_shares(reduced, profile, sat_class=sat, tie_breaking=ties,
                                        voter_budget_increment=1 if add1 else None)
        official = _checker_add1(text) if add1 and len(fundable) == len(instance) and vote_type == "approval" else None
        if official is not None:  # pabutools' Add1 starts from another per-voter budget than equalshares.net's,
            chosen = [p for p in instance if p.name in official]  # which pabulib-checker implements
        if rule == "equalshares/add1/greedy":
            chosen = greedy_utilitarian_welfare(reduced, profile, sat_class=Cost_Sat, tie_breaking=ties,
                                                initial_budget_allocation=chosen)
    else:
        return None
    return {project.name for project in chosen}
