"""An imported file's VOTES rows written back only when they hold exactly the votes counted; otherwise (and for
every ballot that was not imported) the export lists the votes shuffled under random ids."""

from __future__ import annotations

from fractions import Fraction

from voting.results.exports import election_pb
from voting.results.source_votes import (
    PABULIB_VOTE_COLUMNS,
    pabulib_columns_only,
    pack_votes,
    same_votes,
    unpack_votes,
)
from voting.tally import Ballot, Election, Project, parse_pabulib, tally

PROJECTS = [Project(str(n), Fraction(cost), f"Project {n}") for n, cost in ((1, 40), (2, 30), (3, 30))]
META = {"description": "A ballot", "country": "Poland", "unit": "Gdańsk", "instance": "2020", "currency": "PLN",
        "date_begin": "01.05.2020", "date_end": "31.05.2020"}
COLUMNS = ["voter_id", "vote", "points", "age", "sex", "voting_method"]
ROWS = [("17", "2,1", "2,1", "34", "F", "paper"), ("3", "3", "3", "", "M", "internet"),
        ("250", "1,3", "1,0", "71", "F", "internet")]


def election() -> Election:
    return Election.build(PROJECTS, 80, "cumulative", [Ballot(("1", "2"), (1, 2)), Ballot(("3",), (3,)),
                                                       Ballot(("1",), (1,))])


def test_the_rows_round_trip_through_their_packing():
    assert unpack_votes(pack_votes(COLUMNS, ROWS)) == (COLUMNS, ROWS)
    assert unpack_votes(pack_votes(["voter_id", "vote"], [("a;b", 'say "1"')])) == (["voter_id", "vote"],
                                                                                   [("a;b", 'say "1"')])


def test_the_source_rows_are_written_back_when_they_hold_the_counted_votes():
    counted = election()
    result = tally(counted, "greedy")
    text = election_pb(counted, result, {**META, "max_sum_points": "3"}, b"seed", source_votes=(COLUMNS, ROWS))
    pb = parse_pabulib(text)
    assert pb.vote_columns == COLUMNS and list(pb.votes) == ROWS  # voter ids, age, sex, method as in the source
    assert same_votes((COLUMNS, ROWS), parse_pabulib(election_pb(counted, result, META, b"seed")), counted.vote_type)


def test_rows_that_differ_from_the_counted_votes_are_not_written():
    counted = election()
    result = tally(counted, "greedy")
    changed = [ROWS[0], ROWS[1], ("250", "2,3", "1,1", "71", "F", "internet")]
    for rows in (changed, ROWS[:2], [(r[0],) for r in ROWS]):
        pb = parse_pabulib(election_pb(counted, result, META, b"seed", source_votes=(COLUMNS, rows)))
        assert pb.vote_columns == ["voter_id", "vote", "points"], rows
        assert {row[0] for row in pb.votes}.isdisjoint({"17", "3", "250"})  # random ids, as for any ballot


def test_only_pabulib_columns_are_kept_by_default_in_the_file_order():
    columns = ["voter_id", "full_name", "vote", "points", "email", "age", "sex", "voting_method"]
    rows = [("17", "Anna Nowak", "2,1", "2,1", "a@n.pl", "34", "F", "paper"), ("3", "Jan Kowalski", "3", "3")]
    (kept, kept_rows), dropped = pabulib_columns_only(columns, rows)
    assert kept == ["voter_id", "vote", "points", "age", "sex", "voting_method"]
    assert kept_rows == [("17", "2,1", "2,1", "34", "F", "paper"), ("3", "3", "3")]  # a short row stays short
    assert dropped == ["full_name", "email"]
    assert pabulib_columns_only(COLUMNS, ROWS) == ((COLUMNS, ROWS), [])


def test_the_kept_columns_are_those_pabulib_defines():
    from pabulib_helpers.fields import VOTES_FIELDS_ORDER

    assert set(PABULIB_VOTE_COLUMNS) == {"voter_id", "vote", "points", "age", "sex", "voting_method", "district",
                                         "neighborhood", "education"}
    assert set(PABULIB_VOTE_COLUMNS) <= set(VOTES_FIELDS_ORDER)  # the checker's list (plus Zürich's survey)
    (kept, _rows), dropped = pabulib_columns_only(list(VOTES_FIELDS_ORDER), [])
    assert "topic_preference_transport" in dropped and "time_taken_seconds" in dropped and kept[:2] == ["voter_id",
                                                                                                        "vote"]


def test_rows_without_the_dropped_columns_still_hold_the_counted_votes():
    counted = election()
    pb = parse_pabulib(election_pb(counted, tally(counted, "greedy"), META, b"seed"))
    assert pb.vote_columns == ["voter_id", "vote", "points"]
    table, dropped = pabulib_columns_only([*pb.vote_columns, "transport"], [(*row, "5") for row in pb.votes])
    assert dropped == ["transport"] and same_votes(table, pb, counted.vote_type)
