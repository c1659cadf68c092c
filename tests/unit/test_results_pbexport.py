"""The export's META: the rule in a form pabulib-checker accepts, how to recount it, and an imported file's own
fields written back."""

from __future__ import annotations

import pytest

from voting.results.exports import recorded_tie_break
from voting.results.pbexport import Recount, Source, apply_source, recorded_recount
from voting.tally import PabulibFile, VoteType


def counted(rule: str = "greedy") -> PabulibFile:
    meta = {"description": "d", "num_projects": "2", "num_votes": "10", "budget": "100", "vote_type": "approval",
            "rule": rule}
    return PabulibFile(meta, ["project_id", "cost", "votes", "name", "selected"],
                       [("p1", "60", "7", "Park", "1"), ("p2", "50", "3", "Bench", "0")], ["voter_id", "vote"], [])


@pytest.mark.parametrize(("rule", "min_score", "min_share", "written"), [
    ("greedy", None, None, "greedy"),
    ("greedy-threshold", 4, None, "greedy-threshold"),
    ("greedy-threshold", None, 25, "greedy-threshold"),
    ("equalshares/add1", None, None, "equalshares/add1"),
    ("equalshares", 4, None, "unknown"),
    ("equalshares/add1/greedy", None, None, "unknown"),
    ("phragmen", None, None, "unknown"),
    ("irv", None, None, "unknown"),
    ("plurality", None, None, "unknown"),
])
def test_meta_names_a_rule_the_checker_knows_and_the_comment_says_how_to_recount(rule, min_score, min_share,
                                                                                   written) -> None:
    recount = Recount(rule, ("min-cost", "max-votes", "lexico"), VoteType.APPROVAL, min_score, min_share)
    pb = apply_source(counted(rule), Source(), recount)
    assert pb.meta["rule"] == written
    assert recorded_recount(pb.meta) == (rule, min_share)
    assert recorded_tie_break(pb.meta) == "min-cost,max-votes,lexico"
    assert pb.meta["comment"].startswith("#1: greenballot tie-break: min-cost,max-votes,lexico #2: greenballot rule: ")
    if min_share:  # 25% of 10 voters: 3 votes, the same test for approval ballots
        assert pb.meta["min_project_score_threshold"] == "3"


def test_an_imported_files_fields_come_back_and_its_comment_keeps_its_numbering() -> None:
    source = Source({"description": "Kraków", "country": "Poland", "currency": "PLN", "budget": "100.00",
                     "comment": "#1: first #2: second", "odd": "kept"},
                    {"p1": {"project_id": "p1", "cost": "60.0", "name": "Park  ", "category": "green,trees",
                            "latitude": "50.1", "longitude": "19.9"},
                     "p2": {"project_id": "p2", "cost": "50", "name": "Bench", "category": "",
                            "latitude": "", "longitude": ""}})
    pb = apply_source(counted(), source, Recount("greedy", ("lexico",), VoteType.APPROVAL))
    assert pb.meta["country"] == "Poland" and pb.meta["currency"] == "PLN" and pb.meta["odd"] == "kept"
    assert pb.meta["budget"] == "100.00"
    assert pb.meta["comment"].startswith("#1: first #2: second #3: greenballot tie-break: lexico #4: ")
    assert pb.project_columns == ["project_id", "cost", "votes", "name", "category", "selected", "latitude",
                                  "longitude"]
    assert pb.projects[0] == ("p1", "60.0", "7", "Park  ", "green,trees", "1", "50.1", "19.9")
