"""Blank votes: valid only where the ballot allows them, stored as ``{"blank": true}``, never in the selection."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ballots.formats import BLANK, VOTE_FORMATS, FormatConfig, Project, canonical_content, is_blank, validate_vote
from ballots.vote_screen import hidden_fields
from voting.results.document import BallotInput, ProjectInput, blank_count, build_election, result_document, run_tally

PROJECTS = {1: Project(1, 40), 2: Project(2, 50), 3: Project(3, 30)}
EMPTY = ({"blank": True}, {"projects": []}, {"points": {}}, {"points": {"1": 0}}, {})


def config(vote_format: str, allow_blank: bool) -> FormatConfig:
    return FormatConfig(vote_format, 100, total_points=5, max_ranks=2, min_projects=0, allow_blank=allow_blank)


def codes(cfg: FormatConfig, choice: dict) -> set[str]:
    return {reason.code for reason in validate_vote(cfg, PROJECTS, choice)}


def test_a_blank_vote_is_refused_where_not_allowed_even_with_no_minimum():
    for vote_format in VOTE_FORMATS:
        for choice in EMPTY:
            assert codes(config(vote_format, False), choice), (vote_format, choice)
        assert codes(config(vote_format, False), {"blank": True}) == {"vote.blank_not_allowed"}


def test_a_blank_vote_is_valid_where_allowed_and_stored_as_blank():
    for vote_format in VOTE_FORMATS:
        for choice in EMPTY:
            cfg = config(vote_format, True)
            assert codes(cfg, choice) == set(), (vote_format, choice)
            assert canonical_content(cfg, choice) == BLANK


def test_a_blank_vote_names_no_project_and_is_written_true():
    cfg = config("approval", True)
    assert codes(cfg, {"blank": True, "projects": [1]}) == {"vote.blank_with_choice"}
    assert codes(cfg, {"blank": "yes"}) == {"vote.shape"}
    assert codes(cfg, {"blank": False, "projects": [1]}) == set()  # "not blank" is just the choice
    assert canonical_content(cfg, {"blank": False, "projects": [1]}) == {"projects": [1]}
    assert not is_blank({"projects": [1]}) and not is_blank({"points": {"1": 2}})


def test_the_review_page_posts_a_blank_vote_again():
    assert hidden_fields({"blank": True}, "knapsack") == [("blank", "1")]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared, loaded machine
@given(st.lists(st.integers(1, 7), max_size=8), st.integers(0, 5))
def test_blank_votes_change_neither_the_selection_nor_the_count(masks, blanks):
    votes = [[pid for pid in PROJECTS if mask & (1 << (pid - 1))] for mask in masks]
    info = BallotInput(1, "t", "approval", 100, "greedy", "min-cost,max-votes,lexico")
    projects = [ProjectInput(pid, f"p{pid}", project.cost) for pid, project in PROJECTS.items()]
    plain = [({"projects": sorted(v)}, 1) for v in votes]
    mixed = plain + ([({"blank": True}, blanks)] if blanks else [])
    without, with_blank = build_election(info, projects, plain), build_election(info, projects, mixed)
    assert with_blank.voters == without.voters == len(votes) and blank_count(mixed) == blanks
    result = run_tally(info, with_blank)
    assert result.selected == run_tally(info, without).selected
    document = result_document(info, projects, with_blank, result, "d", blank_count(mixed))
    assert document.get("blank_votes", 0) == blanks and document["votes_counted"] == len(votes)
