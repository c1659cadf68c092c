"""Pure: incompatible projects, category quotas, neighbourhood caps and sub-budgets, honoured by every rule.

How a rule honours a :class:`Constraints` set (:func:`honour`):

1. **Caps** (an incompatible group funds at most one project; a group's funded cost stays within ``percent`` of
   the budget, or within its sub-budget; with sub-budgets, the projects in none of them share what the
   sub-budgets leave) are *monotone*: once funding a project would break one, it breaks it for ever (spending
   only grows). So the rule treats such a project as **unaffordable from that moment**: it is never bought and
   never stops the rule (greedy-no-skip and Phragmén pass over it). This is computed without touching the
   rules: run the rule, walk its selection in order, and at the first project whose funding breaks a cap given
   the ones before it (or at the project greedy-no-skip or Phragmén stopped at, if a cap rules it out), remove
   that project from the election and run again (at most one run per project).
   Earlier purchases do not change, since the removed project never won before (for greedy, Equal Shares and
   Phragmén alike); for the Add1 variants, whose per-voter budget depends on the whole run, the result is the
   rule on the election without the removed projects (a fixed point), documented as such.
2. **Minimum shares** (at least ``percent`` of the budget for a group, such as trees) are reserved first: for
   each quota in turn, its projects are funded by score (greedy order, the ballot's tie-break), passing over
   what no longer fits or breaks a cap, until the group's funded cost reaches its share; then the rule runs on
   the other projects with the budget left (Equal Shares shares that among the voters). A quota that cannot be
   reached is reported in ``facts["quota_short"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from voting.tally.greedy import scores
from voting.tally.model import Election
from voting.tally.result import Explanation, TallyResult, number
from voting.tally.threshold import restricted
from voting.tally.tiebreak import tie_key

__all__ = ["Constraints", "Group", "blocked", "from_json", "honour", "quota_short", "violations", "with_constraints"]


@dataclass(frozen=True)
class Group:
    """A named set of projects and its limit: a percentage of the budget, or an amount (sub-budgets)."""

    name: str
    projects: frozenset[str]
    limit: Fraction = Fraction(0)


@dataclass(frozen=True)
class Constraints:
    """What a ballot's result must honour; empty by default."""

    incompatible: tuple[Group, ...] = ()
    min_shares: tuple[Group, ...] = ()
    """At least ``limit`` percent of the budget goes to the group (reserved first, by score)."""
    max_shares: tuple[Group, ...] = ()
    """At most ``limit`` percent of the budget goes to the group."""
    sub_budgets: tuple[Group, ...] = ()
    """At most ``limit`` (money) goes to the group; the other projects share the budget these leave."""

    def __bool__(self) -> bool:
        return bool(self.incompatible or self.min_shares or self.max_shares or self.sub_budgets)


def from_json(data: Mapping[str, Any], ids: Mapping[str, str] | None = None) -> Constraints:
    """Constraints from their JSON form (a ballot's, or a result document's): each entry has a ``name``, its
    ``projects`` and a ``percent`` or an ``amount``; ``ids`` renames projects (ids the tally does not know are
    dropped)."""
    def groups(key: str, limit: str) -> tuple[Group, ...]:
        out = []
        for entry in data.get(key) or ():
            named = (str(p) for p in entry.get("projects") or ())
            members = frozenset(ids[p] for p in named if p in ids) if ids is not None else frozenset(named)
            out.append(Group(str(entry.get("name", "")), members, Fraction(str(entry.get(limit, 0)))))
        return tuple(out)

    return Constraints(groups("incompatible", "percent"), groups("min_shares", "percent"),
                       groups("max_shares", "percent"), groups("sub_budgets", "amount"))


def _spent(costs: dict[str, Fraction], chosen: Iterable[str], group: frozenset[str]) -> Fraction:
    return sum((costs[p] for p in chosen if p in group), Fraction(0))


def blocked(rules: Constraints, budget: Fraction, costs: dict[str, Fraction], chosen: Sequence[str],
            pid: str, names: Mapping[str, str] | None = None) -> Explanation | None:
    """Why funding ``pid`` next to ``chosen`` breaks a cap (its explanation), or None when it does not."""
    names = names or {}
    cost = costs[pid]
    for group in rules.incompatible:
        if pid in group.projects:
            rival = next((p for p in chosen if p in group.projects and p != pid), None)
            if rival is not None:
                return Explanation(pid, "incompatible", False, {"group": group.name, "with": rival,
                                                                "with_name": names.get(rival, rival)})
    for group in rules.max_shares:
        if pid in group.projects and (_spent(costs, chosen, group.projects) + cost) * 100 > group.limit * budget:
            return Explanation(pid, "share-cap", False, {"group": group.name, "percent": number(group.limit),
                                                         "cost": number(cost)})
    inside = False
    for group in rules.sub_budgets:
        if pid in group.projects:
            inside = True
            if _spent(costs, chosen, group.projects) + cost > group.limit:
                return Explanation(pid, "sub-budget", False, {"group": group.name,
                                                              "sub_budget": number(group.limit),
                                                              "cost": number(cost)})
    if rules.sub_budgets and not inside:
        covered = frozenset().union(*(g.projects for g in rules.sub_budgets))
        rest = budget - sum((g.limit for g in rules.sub_budgets), Fraction(0))
        if sum((costs[p] for p in chosen if p not in covered), Fraction(0)) + cost > rest:
            return Explanation(pid, "sub-budget", False, {"group": "", "sub_budget": number(rest),
                                                          "cost": number(cost)})
    return None


def violations(rules: Constraints, budget: Fraction, costs: dict[str, Fraction], selected: Iterable[str]) -> list[str]:
    """Every cap a whole selection breaks, checked from scratch (the definition the tests hold results to)."""
    chosen = set(selected)
    broken = [f"incompatible:{g.name}" for g in rules.incompatible if len(chosen & g.projects) > 1]
    broken += [f"share-cap:{g.name}" for g in rules.max_shares
               if _spent(costs, chosen, g.projects) * 100 > g.limit * budget]
    broken += [f"sub-budget:{g.name}" for g in rules.sub_budgets if _spent(costs, chosen, g.projects) > g.limit]
    if rules.sub_budgets:
        covered = frozenset().union(*(g.projects for g in rules.sub_budgets))
        rest = budget - sum((g.limit for g in rules.sub_budgets), Fraction(0))
        if sum((costs[p] for p in chosen - covered), Fraction(0)) > rest:
            broken.append("sub-budget:")
    if sum((costs[p] for p in chosen), Fraction(0)) > budget:
        broken.append("budget")
    return broken


def quota_short(rules: Constraints, budget: Fraction, costs: dict[str, Fraction], selected: Iterable[str]
                ) -> list[str]:
    """The minimum shares a selection does not reach."""
    chosen = set(selected)
    return [g.name for g in rules.min_shares if _spent(costs, chosen, g.projects) * 100 < g.limit * budget]


def _reserve(election: Election, rules: Constraints, chain: tuple[str, ...], unfundable: frozenset[str]
             ) -> tuple[list[str], dict[str, Explanation]]:
    """The quota step: each minimum share filled by score, within the budget and the caps."""
    if not rules.min_shares:
        return [], {}
    score = scores(election)
    key = tie_key(chain, election)
    order = sorted(election.projects, key=lambda p: (-score[p.id], key(p)))
    costs = {p.id: p.cost for p in election.projects}
    chosen: list[str] = []
    notes: dict[str, Explanation] = {}
    left = election.budget
    for group in rules.min_shares:
        target = group.limit * election.budget / 100
        for project in order:
            pid = project.id
            if _spent(costs, chosen, group.projects) >= target:
                break
            if (pid not in group.projects or pid in notes or pid in unfundable or project.withdrawn
                    or project.cost > left or blocked(rules, election.budget, costs, chosen, pid)):
                continue
            chosen.append(pid)
            left -= project.cost
            notes[pid] = Explanation(pid, "quota-selected", True, {"group": group.name,
                                                                   "percent": number(group.limit),
                                                                   "score": score[pid], "cost": number(project.cost),
                                                                   "left": number(left)})
    return chosen, notes


def honour(election: Election, rules: Constraints, run: Callable[[Election], TallyResult],
           chain: tuple[str, ...], *, unfundable: Iterable[str] = ()) -> TallyResult:
    """``run`` (a rule) made to honour ``rules`` as the module docstring says.

    ``unfundable`` names projects the rule itself will refuse (below a threshold): the quota step passes over them.
    """
    if not rules:
        return run(election)
    costs = {p.id: p.cost for p in election.projects}
    names = {p.id: p.name or p.id for p in election.projects}
    reserved, notes = _reserve(election, rules, chain, frozenset(unfundable))
    removed: dict[str, Explanation] = {}
    rest_budget = election.budget - sum((costs[p] for p in reserved), Fraction(0))
    while True:
        smaller = restricted(election, set(reserved) | set(removed)).replace(budget=rest_budget,
                                                                             threshold=election.threshold)
        result = run(smaller)
        chosen = list(reserved)
        why = None
        for pid in result.selected:
            why = blocked(rules, election.budget, costs, chosen, pid, names)
            if why is not None:
                break
            chosen.append(pid)
        if why is None:  # a rule that stopped at a project a cap rules out goes on without it
            stopper = next((e.facts["stopped_at"] for e in result.explanations if e.facts.get("stopped_at")), None)
            why = blocked(rules, election.budget, costs, chosen, stopper, names) if stopper in costs else None
        if why is None:
            break
        removed[why.project] = why
    merged = {e.project: e for e in result.explanations} | notes | removed
    facts: dict[str, Any] = dict(result.facts)
    short = quota_short(rules, election.budget, costs, chosen)
    if short:
        facts["quota_short"] = short
    if removed:
        facts["constrained"] = sorted(removed)
    return TallyResult(result.rule, result.tie_break, election.budget, tuple(chosen),
                       sum((costs[p] for p in chosen), Fraction(0)),
                       tuple(merged[p.id] for p in election.projects if p.id in merged), facts)


def with_constraints(election: Election, data: Mapping[str, Any], run: Callable[[Election], TallyResult],
                     tie_break: str | tuple[str, ...], *, min_score: Fraction | int | None = None,
                     min_share: Fraction | int | None = None, ids: Mapping[str, str] | None = None) -> TallyResult:
    """``run`` honouring constraints in their JSON form (projects named by the election's ids, or renamed by
    ``ids``; others dropped); the quota step passes over projects below the minimum score or share of voters."""
    from voting.tally.threshold import below_threshold
    from voting.tally.tiebreak import parse_tie_break

    below = below_threshold(election, Fraction(min_score) if min_score else None,
                            Fraction(min_share) if min_share else None)
    known = {p.id for p in election.projects}
    rules = from_json(data, {k: v for k, v in (ids or {p: p for p in known}).items() if v in known})
    return honour(election, rules, run, parse_tie_break(tie_break), unfundable=below)
