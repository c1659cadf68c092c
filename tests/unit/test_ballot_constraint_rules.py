"""A ballot's constraints checked and resolved without a database: groups by projects, category or neighbourhood,
every refusal named by a stable code."""

from __future__ import annotations

from ballots.constraints import ProjectFacts, resolve_constraints

PROJECTS = {1: ProjectFacts("trees", "nord"), 2: ProjectFacts("trees", "sud"), 3: ProjectFacts("benches", "nord")}


def codes(data: dict, budget: int = 100, rule: str = "greedy") -> set[str]:  # type: ignore[type-arg]
    return {reason.code for reason in resolve_constraints(data, PROJECTS, budget, rule)[1]}


def test_groups_resolve_to_the_ballots_projects() -> None:
    stored, reasons = resolve_constraints({"incompatible": [{"projects": [1, 3]}],
                                           "min_shares": [{"category": "trees", "percent": 20}],
                                           "sub_budgets": [{"neighbourhood": "nord", "amount": 60, "name": "Nord"}]},
                                          PROJECTS, 100)
    assert reasons == []
    assert stored is not None
    assert stored["min_shares"] == [{"category": "trees", "percent": 20, "name": "trees", "projects": [1, 2]}]
    assert stored["sub_budgets"][0]["projects"] == [1, 3] and stored["sub_budgets"][0]["name"] == "Nord"
    assert stored["incompatible"][0]["projects"] == [1, 3]
    again, _ = resolve_constraints(stored, PROJECTS, 100)  # the stored form resolves to itself
    assert again == stored
    assert resolve_constraints({"incompatible": []}, PROJECTS, 100) == (None, [])


def test_every_refusal_has_its_code() -> None:
    assert codes({"incompatible": [{"projects": [1, 9]}]}) == {"constraints.project"}
    assert codes({"incompatible": [{"projects": [1]}]}) == {"constraints.incompatible"}
    assert codes({"max_shares": [{"category": "lamps", "percent": 5}]}) == {"constraints.empty"}
    assert codes({"max_shares": [{"category": "trees", "neighbourhood": "nord", "percent": 5}]}) == {
        "constraints.selector"}
    assert codes({"min_shares": [{"category": "trees", "percent": -1}]}) == {"constraints.percent"}
    assert codes({"min_shares": [{"category": "trees", "percent": 60},
                                 {"category": "benches", "percent": 50}]}) == {"constraints.min_total"}
    assert codes({"sub_budgets": [{"projects": [1], "amount": 101}]}) == {"constraints.amount"}
    assert codes({"sub_budgets": [{"projects": [1], "amount": 60}, {"projects": [2], "amount": 50}]}) == {
        "constraints.sub_budgets"}
    assert codes({"sub_budgets": [{"neighbourhood": "nord", "amount": 10},
                                  {"category": "trees", "amount": 10}]}) == {"constraints.overlap"}
    assert codes({"incompatible": [{"projects": [1, 3]}]}, rule="irv") == {"constraints.rule"}
