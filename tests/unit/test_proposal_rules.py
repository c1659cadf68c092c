"""Proposal fields and review decisions: every problem reported at once."""

from __future__ import annotations

import pytest

from voting.i18n import use_language
from voting.proposals.rules import (
    MAX_COST,
    ProposalFields,
    ReviewDecision,
    check_proposal,
    check_review,
    missing_for_review,
    parse_coordinate,
    parse_whole_number,
)

GOOD = ProposalFields(title="Fruit trees", summary="Apple trees on the square", description="", category="garden",
                      neighbourhood_id=1, estimated_cost=1200)


@pytest.fixture(autouse=True)
def english():
    use_language("en")



def check(**changes):
    from dataclasses import replace

    return check_proposal(replace(GOOD, **changes), categories={"garden", "other"}, neighbourhoods={1, 2})


def test_good_fields_pass():
    assert check() == []


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"title": ""}, "Title is required"),
    ({"title": "x" * 161}, "Title is too long"),
    ({"summary": " "}, "Summary is required"),
    ({"description": "x" * 10_001}, "Description is too long"),
    ({"address": "x" * 301}, "Address is too long"),
    ({"community": "x" * 201}, "Community or association is too long"),
    ({"estimated_cost": None}, "Estimated cost is required"),
    ({"estimated_cost": 0}, "positive"),
    ({"estimated_cost": -5}, "positive"),
    ({"estimated_cost": MAX_COST + 1}, "cannot be more than"),
    ({"category": ""}, "Category is required"),
    ({"category": "casino"}, "Unknown category casino"),
    ({"neighbourhood_id": None}, "Neighbourhood is required"),
    ({"neighbourhood_id": 99}, "Unknown neighbourhood 99"),
    ({"latitude": 45.7}, "both latitude and longitude"),
    ({"latitude": 91.0, "longitude": 3.0}, "Latitude"),
    ({"latitude": 45.0, "longitude": 181.0}, "Longitude"),
])
def test_each_problem(changes, fragment):
    problems = check(**changes)
    assert len(problems) == 1
    assert fragment in problems[0]


def test_all_problems_at_once():
    assert len(check(title="", summary="", estimated_cost=0, category="x", neighbourhood_id=None)) == 5


def test_a_draft_needs_only_a_title_and_each_problem_names_its_field():
    from dataclasses import replace

    bare = replace(GOOD, summary="", category="", neighbourhood_id=None, estimated_cost=None)
    assert check_proposal(bare, categories={"garden"}, neighbourhoods={1}, draft=True) == []
    assert [p.field for p in check_proposal(replace(bare, title=" "), categories={"garden"}, neighbourhoods={1},
                                            draft=True)] == ["title"]
    submitted = check_proposal(bare, categories={"garden"}, neighbourhoods={1})
    assert [p.field for p in submitted] == ["summary", "category", "neighbourhood_id", "estimated_cost"]
    assert [p.field for p in missing_for_review(bare)] == ["summary", "category", "neighbourhood_id", "estimated_cost"]
    # what a draft does give is still checked
    wrong = check_proposal(replace(bare, estimated_cost=0, category="casino"), categories={"garden"},
                           neighbourhoods={1}, draft=True)
    assert [p.field for p in wrong] == ["estimated_cost", "category"]


def test_the_ceiling_is_a_parameter():
    assert check_proposal(GOOD, categories={"garden"}, neighbourhoods={1}, ceiling=1000)
    assert check(estimated_cost=MAX_COST) == []


@pytest.mark.parametrize(("decision", "count"), [
    (ReviewDecision("accept", "Feasible", 1000), 0),
    (ReviewDecision("accept", "", 1000), 1),
    (ReviewDecision("accept", "ok", None), 1),
    (ReviewDecision("accept", "ok", 0), 1),
    (ReviewDecision("accept", "ok", MAX_COST + 1), 1),
    (ReviewDecision("reject", ""), 1),
    (ReviewDecision("reject", "Outside the city's land"), 0),
    (ReviewDecision("request_changes", ""), 1),
    (ReviewDecision("request_changes", "x" * 2001), 1),
    (ReviewDecision("request_changes", "Add a photo"), 0),
])
def test_review_decisions(decision, count):
    assert len(check_review(decision)) == count


@pytest.mark.parametrize(("raw", "value"), [("", None), (None, None), ("1200", 1200), (" 12 000 ", 12000),
                                            (7, 7), (7.0, 7), ("-3", -3)])
def test_parse_whole_number(raw, value):
    assert parse_whole_number(raw) == value


@pytest.mark.parametrize("raw", ["12.5", "abc", "1e3", True, 7.5])
def test_parse_whole_number_refuses(raw):
    with pytest.raises(ValueError):
        parse_whole_number(raw)


def test_parse_coordinate():
    assert parse_coordinate("45,77") == 45.77
    assert parse_coordinate("") is None
    for bad in ("nan", "inf", "north"):
        with pytest.raises(ValueError):
            parse_coordinate(bad)
