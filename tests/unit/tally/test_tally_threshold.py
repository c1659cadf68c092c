"""A minimum score and a minimum share of voters: only projects reaching both can be funded, under
greedy-threshold and every Equal Shares variant, each refused project explained as below the threshold."""

from __future__ import annotations

from fractions import Fraction

import pytest

from voting.tally import Ballot, Election, Project, tally
from voting.tally.threshold import below_threshold, restricted

# a: 6 voters, b: 3, c: 1 (10 voters); c is cheap and would be funded without a threshold
ELECTION = Election.build(
    [Project("a", Fraction(50)), Project("b", Fraction(30)), Project("c", Fraction(10))], 100, "approval",
    [Ballot(("a",))] * 5 + [Ballot(("a", "b"))] + [Ballot(("b",))] * 2 + [Ballot(("c",))] + [Ballot(())],
)


def test_below_threshold_by_score_and_by_share() -> None:
    assert set(below_threshold(ELECTION, Fraction(2), None)) == {"c"}
    assert set(below_threshold(ELECTION, None, Fraction(30))) == {"c"}
    assert set(below_threshold(ELECTION, None, Fraction(31))) == {"b", "c"}
    assert below_threshold(ELECTION, None, None) == {}
    facts = below_threshold(ELECTION, Fraction(2), Fraction(5))["c"].as_dict()
    assert facts == {"project": "c", "code": "below-threshold", "selected": False, "score": 1, "supporters": 1,
                     "threshold": 2, "min_share": 5}


def test_restricted_drops_projects_from_every_ballot() -> None:
    smaller = restricted(ELECTION, {"b"})
    assert [p.id for p in smaller.projects] == ["a", "c"]
    assert smaller.voters == ELECTION.voters
    assert all("b" not in ballot.projects for ballot in smaller.ballots)


@pytest.mark.parametrize("rule", ["greedy-threshold", "equalshares", "equalshares/add1", "equalshares/add1/greedy"])
def test_rules_honour_a_minimum_score_and_share(rule: str) -> None:
    assert "c" in tally(ELECTION, rule, threshold=0).selected
    for kwargs in ({"threshold": 2}, {"min_share": 20}):
        result = tally(ELECTION, rule, **kwargs)
        assert "c" not in result.selected, kwargs
        assert result.explanation("c").code == "below-threshold"
        assert {e.project for e in result.explanations} == {"a", "b", "c"}


def test_no_threshold_changes_nothing() -> None:
    for rule in ("equalshares", "greedy-threshold"):
        assert tally(ELECTION, rule) == tally(ELECTION, rule, min_share=0)


def test_a_threshold_no_project_misses_runs_the_rule_once() -> None:
    pinned = Election.build(ELECTION.projects, 100, "approval", ELECTION.ballots, threshold=1)
    assert tally(pinned, "equalshares").selected == tally(ELECTION, "equalshares").selected
