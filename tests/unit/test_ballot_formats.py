"""Vote formats: each invalid shape is refused with its reason; valid votes pass and are made canonical."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ballots.formats import FormatConfig, Project, canonical_content, validate_config, validate_vote
from ballots.tally_rules import RULE_NAMES, validate_rule

PROJECTS = {1: Project(1, 40), 2: Project(2, 50), 3: Project(3, 30), 4: Project(4, 90)}


def codes(config: FormatConfig, choice: dict) -> set[str]:
    return {reason.code for reason in validate_vote(config, PROJECTS, choice)}


@pytest.mark.parametrize(("config", "choice", "expected"), [
    (FormatConfig("approval", 100, 1, 2), {"projects": [1, 2, 3]}, {"vote.too_many"}),
    (FormatConfig("approval", 100, 2, 3), {"projects": [1]}, {"vote.too_few"}),
    (FormatConfig("approval", 100), {"projects": [1, 9]}, {"vote.unknown"}),
    (FormatConfig("approval", 100), {"projects": [1, 1]}, {"vote.duplicate"}),
    (FormatConfig("approval", 100), {"projects": "1"}, {"vote.shape", "vote.too_few"}),
    (FormatConfig("knapsack", 100), {"projects": [1, 2, 3]}, {"vote.over_budget"}),
    (FormatConfig("knapsack", 100, min_spend_percent=80), {"projects": [3]}, {"vote.under_budget"}),
    (FormatConfig("cumulative", 100, total_points=5, max_points_per_project=3), {"points": {"1": 4}},
     {"vote.points_per_project"}),
    (FormatConfig("cumulative", 100, total_points=5, max_points_per_project=3), {"points": {"1": 3, "2": 3}},
     {"vote.points_total"}),
    (FormatConfig("cumulative", 100, total_points=5), {"points": {"1": -1, "2": 1}}, {"vote.points_negative"}),
    (FormatConfig("cumulative", 100, total_points=5), {"points": {"9": 1}}, {"vote.unknown"}),
    (FormatConfig("ranked", 100, max_ranks=2), {"projects": [1, 2, 3]}, {"vote.too_many"}),
    (FormatConfig("ranked", 100, max_ranks=2), {"projects": []}, {"vote.too_few"}),
    (FormatConfig("choose-one", 100), {"projects": [1, 2]}, {"vote.choose_one"}),
])
def test_invalid_votes_are_refused_with_reasons(config, choice, expected):
    assert codes(config, choice) == expected


def test_valid_votes_and_their_canonical_content():
    knapsack = FormatConfig("knapsack", 100)
    assert codes(knapsack, {"projects": [3, 1]}) == set()
    assert canonical_content(knapsack, {"projects": [3, 1]}) == {"projects": [1, 3]}
    ranked = FormatConfig("ranked", 100, max_ranks=3)
    assert canonical_content(ranked, {"projects": [3, 1]}) == {"projects": [3, 1]}
    points = FormatConfig("cumulative", 100, total_points=5, max_points_per_project=3)
    assert codes(points, {"points": {"2": 3, "1": 2, "4": 0}}) == set()
    assert canonical_content(points, {"points": {"2": 3, "1": 2, "4": 0}}) == {"points": {"1": 2, "2": 3}}


@given(st.lists(st.sampled_from(sorted(PROJECTS)), unique=True))
def test_knapsack_accepts_exactly_what_fits(chosen):
    fits = sum(PROJECTS[p].cost for p in chosen) <= 100
    result = codes(FormatConfig("knapsack", 100, 0), {"projects": chosen})
    assert ("vote.over_budget" not in result) == fits


def test_config_and_rule_checks():
    assert validate_config(FormatConfig("approval", 100, 3, 2), 4)
    assert validate_config(FormatConfig("cumulative", 100), 4)
    assert validate_config(FormatConfig("ranked", 100), 4)
    assert validate_config(FormatConfig("knapsack", 100), 0)
    assert validate_config(FormatConfig("nope", 100), 4)
    assert not validate_config(FormatConfig("knapsack", 100), 4)
    assert "greedy" in RULE_NAMES and "equalshares/add1" in RULE_NAMES
    assert not validate_rule("equalshares", "min-cost,lexico", "knapsack")
    assert {r.code for r in validate_rule("plurality", "min-cost", "knapsack")} == {"rule.format"}
    assert {r.code for r in validate_rule("nope", "min-cost,min-cost", "ranked")} == {"rule.unknown",
                                                                                      "rule.tie_break"}


@pytest.mark.parametrize(("language", "chosen", "expected"), [
    ("en", [], "Choose at least 1 project."), ("fr", [], "Choisissez au moins 1 projet."),
    ("en", [1, 2, 3], "Choose at most 2 projects."), ("fr", [1, 2, 3], "Choisissez au plus 2 projets."),
])
def test_count_messages_agree_with_the_number(language, chosen, expected):
    from voting.i18n import use_language
    use_language(language)
    try:
        reasons = validate_vote(FormatConfig("approval", 1000, max_projects=2), PROJECTS, {"projects": chosen})
    finally:
        use_language("en")
    assert expected in [reason.message for reason in reasons]


def test_one_rank_and_one_point_are_singular():
    ranked = validate_vote(FormatConfig("ranked", 100, max_ranks=1), PROJECTS, {"projects": [1, 2]})
    assert "Rank at most 1 project." in [reason.message for reason in ranked]
    points = validate_vote(FormatConfig("cumulative", 100, total_points=5, max_points_per_project=1), PROJECTS,
                           {"points": {"1": 2}})
    assert "At most 1 point per project." in [reason.message for reason in points]
