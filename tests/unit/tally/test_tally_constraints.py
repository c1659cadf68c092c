"""Incompatible projects, quotas, caps and sub-budgets: every rule honours them; greedy equals its brute-force
definition, no result breaks a cap, and with no constraints every rule is unchanged."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.tally import Ballot, Election, Project, tally
from voting.tally.constraints import Constraints, Group, honour, quota_short, violations
from voting.tally.greedy import scores
from voting.tally.tiebreak import DEFAULT_TIE_BREAK, tie_key

CHAIN = DEFAULT_TIE_BREAK
RULES = ("greedy", "greedy-no-skip", "equalshares", "equalshares/add1", "phragmen")


def run(election: Election, rules: Constraints, rule: str = "greedy"):  # type: ignore[no-untyped-def]
    return honour(election, rules, lambda e: tally(e, rule, CHAIN), CHAIN)


# two designs for one site (a1, a2), a tree project t, a square s in the north n1, n2
SITE = Election.build(
    [Project("a1", Fraction(20)), Project("a2", Fraction(30)), Project("t", Fraction(20)),
     Project("n1", Fraction(30)), Project("n2", Fraction(20))], 100, "approval",
    [Ballot(("a1", "a2", "n1"))] * 5 + [Ballot(("a2", "n2"))] * 3 + [Ballot(("t",))] + [Ballot(("n1", "n2"))] * 2,
)


def group(name: str, *ids: str, limit: int = 0) -> Group:
    return Group(name, frozenset(ids), Fraction(limit))


@pytest.mark.parametrize("rule", RULES)
def test_incompatible_designs_fund_one_only(rule: str) -> None:
    plain = tally(SITE, rule, CHAIN)
    assert {"a1", "a2"} <= set(plain.selected) or rule not in ("greedy", "greedy-no-skip")
    result = run(SITE, Constraints(incompatible=(group("site", "a1", "a2"),)), rule)
    assert len({"a1", "a2"} & set(result.selected)) <= 1
    loser = ({"a1", "a2"} - set(result.selected)).pop()
    if {"a1", "a2"} <= set(plain.selected):
        note = result.explanation(loser)
        assert note.code == "incompatible" and note.facts["group"] == "site"
        assert note.facts["with"] in result.selected


def test_greedy_quota_reserves_trees_first() -> None:
    assert "t" not in tally(SITE, "greedy", CHAIN).selected
    result = run(SITE, Constraints(min_shares=(group("trees", "t", limit=20),)))
    assert result.selected[0] == "t" and result.explanation("t").code == "quota-selected"
    assert quota_short(Constraints(min_shares=(group("trees", "t", limit=21),)), SITE.budget,
                       {p.id: p.cost for p in SITE.projects}, result.selected) == ["trees"]
    short = run(SITE, Constraints(min_shares=(group("trees", "t", limit=50),)))
    assert short.facts["quota_short"] == ["trees"]


def test_share_cap_and_sub_budgets() -> None:
    capped = run(SITE, Constraints(max_shares=(group("north", "n1", "n2", limit=30),)))
    assert {"n1", "n2"} & set(capped.selected) == {"n1"}
    assert capped.explanation("n2").code == "share-cap"
    # Amsterdam: 60 for the north, the other projects share the remaining 40
    subs = run(SITE, Constraints(sub_budgets=(group("north", "n1", "n2", limit=60),)))
    assert subs.selected == ("a2", "n1", "n2")
    assert subs.explanation("a1").code == "sub-budget"  # a2 took 30 of the other 40


def test_no_constraints_is_the_plain_rule() -> None:
    for rule in RULES:
        assert run(SITE, Constraints(), rule) == tally(SITE, rule, CHAIN)


# --- properties on small random elections ---------------------------------------------------------------------

@st.composite
def cases(draw: st.DrawFn) -> tuple[Election, Constraints]:
    n = draw(st.integers(2, 6))
    ids = [f"p{i}" for i in range(n)]
    costs = draw(st.lists(st.integers(1, 10), min_size=n, max_size=n))
    budget = draw(st.integers(5, 30))
    subset = st.frozensets(st.sampled_from(ids), min_size=1, max_size=n)
    ballots = draw(st.lists(st.frozensets(st.sampled_from(ids), max_size=n), min_size=1, max_size=8))
    election = Election.build([Project(i, Fraction(c)) for i, c in zip(ids, costs, strict=True)], budget, "approval",
                              [Ballot(tuple(sorted(b))) for b in ballots])
    incompatible = tuple(Group(f"i{k}", g) for k, g in enumerate(draw(st.lists(subset, max_size=2))))
    caps = tuple(Group(f"c{k}", g, Fraction(draw(st.integers(0, 100))))
                 for k, g in enumerate(draw(st.lists(subset, max_size=2))))
    mins = tuple(Group(f"m{k}", g, Fraction(draw(st.integers(0, 100))))
                 for k, g in enumerate(draw(st.lists(subset, max_size=2))))
    subs: list[Group] = []
    free, money = list(ids), budget
    for k in range(draw(st.integers(0, 2))):
        part = draw(st.frozensets(st.sampled_from(free), min_size=1, max_size=len(free))) if free else frozenset()
        amount = draw(st.integers(0, money))
        if part:
            subs.append(Group(f"s{k}", part, Fraction(amount)))
            free, money = [i for i in free if i not in part], money - amount
    return election, Constraints(incompatible, mins, caps, tuple(subs))


def brute_greedy(election: Election, rules: Constraints, skip: bool = True) -> tuple[str, ...]:
    """The definition: quotas filled first by score, then by score; a project is funded when the selection with
    it breaks nothing (budget included), checked from scratch. Without ``skip`` (greedy-no-skip), the first
    project over the budget stops the count, unless a cap rules it out anyway."""
    score, key = scores(election), tie_key(CHAIN, election)
    order = sorted(election.projects, key=lambda p: (-score[p.id], key(p)))
    costs = {p.id: p.cost for p in election.projects}
    chosen: list[str] = []
    for g in rules.min_shares:
        for p in order:
            if sum(costs[q] for q in chosen if q in g.projects) * 100 >= g.limit * election.budget:
                break
            if p.id in g.projects and p.id not in chosen and not violations(rules, election.budget, costs,
                                                                            [*chosen, p.id]):
                chosen.append(p.id)
    for p in order:
        if p.id in chosen:
            continue
        broken = violations(rules, election.budget, costs, [*chosen, p.id])
        if not broken:
            chosen.append(p.id)
        elif broken == ["budget"] and not skip:
            break
    return tuple(chosen)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_greedy_equals_its_brute_force_definition(case: tuple[Election, Constraints]) -> None:
    election, rules = case
    assert run(election, rules).selected == brute_greedy(election, rules)
    assert run(election, rules, "greedy-no-skip").selected == brute_greedy(election, rules, skip=False)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.sampled_from(RULES))
def test_no_result_breaks_a_constraint(case: tuple[Election, Constraints], rule: str) -> None:
    election, rules = case
    result = run(election, rules, rule)
    costs = {p.id: p.cost for p in election.projects}
    assert violations(rules, election.budget, costs, result.selected) == []
    assert {e.project for e in result.explanations} == set(costs)
    assert run(election, Constraints(), rule) == tally(election, rule, CHAIN)


def brute_mes(election: Election, rules: Constraints) -> tuple[str, ...]:
    """Plain exact Equal Shares (approval, cost utility) where a project whose funding would break a cap is
    unaffordable from that moment: the definition :func:`honour` claims to compute for Equal Shares."""
    n = election.voters
    money = [election.budget / n] * n
    rank = {p.id: r for r, p in enumerate(sorted(election.projects, key=tie_key(CHAIN, election)))}
    costs = {p.id: p.cost for p in election.projects}
    backers = {p.id: [v for v, b in enumerate(election.ballots) if p.id in b.projects] for p in election.projects}
    chosen: list[str] = []
    while True:
        best: tuple[Fraction, int, str] | None = None
        for p in election.projects:
            supp = sorted(backers[p.id], key=money.__getitem__)
            if p.id in chosen or p.cost <= 0 or not supp or sum(money[v] for v in supp) < p.cost:
                continue
            if violations(rules, election.budget, costs, [*chosen, p.id]):
                continue
            paid, share = Fraction(0), Fraction(0)
            for k, v in enumerate(supp):  # the poorest pay all they have until an equal share fits the rest
                share = (p.cost - paid) / (len(supp) - k)
                if share <= money[v]:
                    break
                paid += money[v]
            key = (share / p.cost, rank[p.id], p.id)
            if best is None or key[:2] < best[:2]:
                best = key
        if best is None:
            return tuple(chosen)
        share, _, pid = best[0] * costs[best[2]], best[1], best[2]
        for v in backers[pid]:
            money[v] -= min(money[v], share)
        chosen.append(pid)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_equal_shares_equals_its_brute_force_definition(case: tuple[Election, Constraints]) -> None:
    election, rules = case
    caps = Constraints(rules.incompatible, (), rules.max_shares, rules.sub_budgets)  # quotas are a greedy step
    assert tally(election, "equalshares", CHAIN).selected == brute_mes(election, Constraints())
    assert run(election, caps, "equalshares").selected == brute_mes(election, caps)


def brute_phragmen(election: Election, rules: Constraints) -> tuple[str, ...]:
    """Exact sequential Phragmén (stopping when a project tied for the lowest load does not fit, as the engine
    does) where a project breaking a cap leaves the race from that moment (it never stops the rule)."""
    costs = {p.id: p.cost for p in election.projects}
    rank = {p.id: r for r, p in enumerate(sorted(election.projects, key=tie_key(CHAIN, election)))}
    backers = {p.id: [v for v, b in enumerate(election.ballots) if p.id in b.projects] for p in election.projects}
    load = [Fraction(0)] * election.voters
    left, chosen = election.budget, []  # type: ignore[var-annotated]
    running = {p.id for p in election.projects if p.cost <= left}
    while True:
        live = [p for p in running - set(chosen)  # the budget itself is the stopping rule's business
                if set(violations(rules, election.budget, costs, [*chosen, p])) <= {"budget"}]
        if not live:
            return tuple(chosen)
        loads = {p: (sum(load[v] for v in backers[p]) + costs[p]) / len(backers[p]) for p in live if backers[p]}
        tied = [p for p in loads if loads[p] == min(loads.values())] if loads else live
        if any(costs[p] > left for p in tied):
            return tuple(chosen)
        winner = min(tied, key=rank.__getitem__)
        for v in backers[winner]:
            load[v] = loads.get(winner, Fraction(0))
        left -= costs[winner]
        chosen.append(winner)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_phragmen_equals_its_brute_force_definition(case: tuple[Election, Constraints]) -> None:
    election, rules = case
    caps = Constraints(rules.incompatible, (), rules.max_shares, rules.sub_budgets)
    assert tally(election, "phragmen", CHAIN).selected == brute_phragmen(election, Constraints())
    assert run(election, caps, "phragmen").selected == brute_phragmen(election, caps)
