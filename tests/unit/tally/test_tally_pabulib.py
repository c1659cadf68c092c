"""The Pabulib reader and writer: format details, one clear error per malformed file, checker-clean output."""

from __future__ import annotations

import contextlib
import dataclasses
import io
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import file_params, need

from voting.tally import PabulibError, VoteType, parse_pabulib, tally
from voting.tally.pbwrite import to_pabulib, write_pabulib

GOOD = (
    "\ufeffMETA\r\nkey;value\r\ndescription;\"a; quoted\"\r\ncountry;Poland\r\nunit;Test\r\ninstance;2024\r\n"
    "num_projects;3\r\nnum_votes;3\r\nbudget;100,5\r\nvote_type;approval\r\nrule;greedy\r\nodd_key;kept\r\n"
    "PROJECTS\r\nproject_id;cost;votes;name;selected\r\n"
    "1;60;2;\"Park; trees\";1\r\n2;40,5;2;\"\"\"Quoted\"\" bench\";1\r\n3;999999999;1;Withdrawn;0\r\n"
    "VOTES\r\nvoter_id;vote\r\nv1;1,2\r\nv2;1, 2,3\r\nv3;\r\n"
)


def test_reads_bom_crlf_quotes_decimal_commas_and_unknown_meta() -> None:
    pb = parse_pabulib(GOOD)
    election = pb.election()
    assert pb.meta["odd_key"] == "kept"
    assert pb.meta["description"] == "a; quoted"
    assert election.budget == Fraction(201, 2)
    assert [p.name for p in election.projects] == ["Park; trees", '"Quoted" bench', "Withdrawn"]
    assert election.project_by_id["2"].cost == Fraction(81, 2)
    assert election.project_by_id["3"].withdrawn
    assert [b.projects for b in election.ballots] == [("1", "2"), ("1", "2", "3"), ()]
    assert election.vote_type is VoteType.APPROVAL


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        (GOOD.replace("1;60;2", "1;sixty;2"), 15, "cost"),
        (GOOD.replace("v1;1,2", "v1;1,9"), 20, "vote"),
        (GOOD.replace("v1;1,2", "v1;1,1"), 20, "vote"),
        (GOOD.replace("2;40,5;2;", "1;40,5;2;"), 16, "project_id"),
        (GOOD.replace("PROJECTS\r\nproject_id;cost", "PROJECTS\r\nproject_id;price"), 14, "cost"),
    ],
)
def test_a_malformed_file_gives_one_error_with_line_and_field(text: str, line: int, field: str) -> None:
    with pytest.raises(PabulibError) as caught:
        parse_pabulib(text).election()
    assert caught.value.line == line
    assert caught.value.field == field
    assert f"line {line}" in str(caught.value)


def test_wrong_field_count_and_missing_sections_name_the_line() -> None:
    with pytest.raises(PabulibError, match="line 15"):
        parse_pabulib(GOOD.replace("1;60;2;", "1;60;2;x;"))
    with pytest.raises(PabulibError, match="missing section VOTES"):
        parse_pabulib(GOOD.split("VOTES")[0])
    with pytest.raises(PabulibError, match="line 1"):
        parse_pabulib("PROJECTS\nproject_id;cost\n")
    with pytest.raises(PabulibError, match="points"):
        parse_pabulib(GOOD.replace("approval", "cumulative")).election()


META = {"country": "Poland", "unit": "Test", "instance": "2024", "date_begin": "2024", "date_end": "2024"}


def _checker_errors(text: str) -> dict[str, object]:
    from pabulib.checker import Checker

    with contextlib.redirect_stdout(io.StringIO()):
        results = Checker().process_files([text])
    (only,) = [v for k, v in results.items() if k not in ("metadata", "summary")]
    return only["results"].get("errors", {})


@pytest.mark.parametrize("path", file_params(big=False))
def test_files_we_write_pass_pabulib_checker(path: Path | None) -> None:
    election = dataclasses.replace(parse_pabulib(need(path).read_text(encoding="utf-8")).election(), meta={})
    result = tally(election, "greedy")
    text = write_pabulib(to_pabulib(election, result, META))
    assert _checker_errors(text) == {}
    again = parse_pabulib(text).election()
    assert again.budget == election.budget and again.ballots == election.ballots
    assert {(p.id, p.cost, p.name) for p in again.projects} == {
        (p.id, p.cost, p.name or p.id) for p in election.projects
    }


@pytest.mark.parametrize("path", file_params(big=False))
def test_round_trip_keeps_every_row_and_meta_key(path: Path | None) -> None:
    pb = parse_pabulib(need(path).read_text(encoding="utf-8"))
    again = parse_pabulib(write_pabulib(pb))
    assert again.meta == pb.meta
    assert again.projects == pb.projects and again.votes == pb.votes
