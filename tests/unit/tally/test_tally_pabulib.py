"""The Pabulib reader and writer: format details, one clear error per malformed file, checker-clean output."""

from __future__ import annotations

import contextlib
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
    election = parse_pabulib(need(path).read_text(encoding="utf-8")).election().replace(meta={})
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


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "reason"),
    [
        ("budget;100,5", "budget;1e999999999", 9, "budget", "not a plain decimal"),
        ("budget;100,5", "budget;1e400", 9, "budget", "not a plain decimal"),
        ("budget;100,5", "budget;" + "9" * 5000, 9, "budget", "not a plain decimal"),
        ("budget;100,5", "budget;-100", 9, "budget", "negative"),
        ("budget;100,5", "budget;0", 9, "budget", "more than zero"),
        ("budget;100,5", "budget;9223372036854775808", 9, "budget", "too large"),
        ("budget;100,5", "budget;9007199254740992", 9, "budget", "too large (at most 9007199254740991)"),
        ("1;60;2", "1;1e999999999;2", 15, "cost", "not a plain decimal"),
        ("1;60;2", "1;0;2", 15, "cost", "more than zero"),
        ("1;60;2", "1;-60;2", 15, "cost", "negative"),
        ("1;60;2", "1;99999999999999999999;2", 15, "cost", "not a plain decimal"),
        ("num_votes;3", "num_votes;4", 8, "num_votes", "META says 4 but the file has 3 votes"),
        ("num_projects;3", "num_projects;2", 7, "num_projects", "META says 2"),
        ("rule;greedy", "rule;greedy\r\nmax_length;\u00b2", 12, "max_length", "not a whole number"),
        ("rule;greedy", "rule;greedy\r\nmax_length;99999999999", 12, "max_length", "not a whole number"),
        ("v2;1, 2,3", "v1;1, 2,3", 21, "voter_id", "voter 'v1' appears twice"),
        ("v2;1, 2,3", ";1, 2,3", 21, "voter_id", "empty voter id"),
        ("3;999999999;1;", "3;999999999;2;", 17, "votes", "has 2 votes here but 1"),
    ],
)
def test_what_the_reader_refuses(old: str, new: str, line: int, field: str, reason: str) -> None:
    assert old in GOOD
    with pytest.raises(PabulibError) as caught:
        parse_pabulib(GOOD.replace(old, new, 1))
    assert (caught.value.line, caught.value.field) == (line, field)
    assert reason in str(caught.value) and "\n" not in str(caught.value)
    assert len(str(caught.value)) < 200


def test_a_file_cut_short_is_refused() -> None:
    lines = GOOD.splitlines(keepends=True)
    for end in range(len(lines) - 1, 0, -1):
        with pytest.raises(PabulibError):
            parse_pabulib("".join(lines[:end]))
    two_voters = GOOD.replace("num_votes;3", "num_votes;2").replace("v3;\r\n", "")
    assert parse_pabulib(two_voters).election().voters == 2
    cut_inside_last_vote = two_voters[: two_voters.rindex("1, 2,3") + 4]  # "v2;1, 2" names one project less
    with pytest.raises(PabulibError, match="field 'votes'"):
        parse_pabulib(cut_inside_last_vote)


def test_binary_data_and_unterminated_quotes_are_refused_with_their_line() -> None:
    with pytest.raises(PabulibError, match="line 20: control character U\\+0000"):
        parse_pabulib(GOOD.replace("v1;1,2", "v1;1,\x002"))
    with pytest.raises(PabulibError, match="line 20: unterminated quote"):
        parse_pabulib(GOOD.replace("v1;1,2", 'v1;"1,2'))
    with pytest.raises(PabulibError, match="line 15: badly quoted field"):
        parse_pabulib(GOOD.replace('"Park; trees"', '"Park; trees'))
    with pytest.raises(PabulibError, match="line 15: a field is longer than 10000"):
        parse_pabulib(GOOD.replace("Park; trees", "x" * 200_000))
    with pytest.raises(PabulibError, match="line 3: a field is longer than 10000"):
        parse_pabulib(GOOD.replace("a; quoted", "x" * 20_000))


def test_a_quoted_name_may_run_over_several_lines() -> None:
    text = GOOD.replace('"Park; trees"', '"Park;\r\ntrees\r\n"')
    pb = parse_pabulib(text)
    assert pb.election().project_by_id["1"].name == "Park;\ntrees"
    assert pb.line_of("projects", 1) == 18  # the next row's line counts the name's physical lines
    with pytest.raises(PabulibError, match="line 22"):  # and errors after it name the right line
        parse_pabulib(text.replace("v1;1,2", "v1;1,9"))


def test_a_stray_quote_inside_a_name_is_kept_as_written() -> None:
    """Poland_Czestochowa_2020_Grabowka.pb: `"Odkupmy" i my ...`, accepted by pabulib-checker too."""
    pb = parse_pabulib(GOOD.replace('"Park; trees"', '"Park" and trees'))
    assert pb.election().project_by_id["1"].name == '"Park" and trees'


def test_harmless_variants_read_the_same() -> None:
    base = parse_pabulib(GOOD).election()
    for variant in (GOOD.replace("\r\n", "\n"), GOOD.removeprefix("\ufeff"), GOOD.replace("\r\n", "\n\n"),
                    GOOD.replace("v3;\r\n", "v3;")):
        again = parse_pabulib(variant).election()
        assert (again.projects, again.ballots, again.budget) == (base.projects, base.ballots, base.budget)


def test_a_lenient_reading_lists_the_files_disagreements_and_still_refuses_the_rest() -> None:
    text = GOOD.replace("num_votes;3", "num_votes;4").replace("3;999999999;1;", "3;999999999;2;")
    pb = parse_pabulib(text, lenient=True)
    assert pb.election().voters == 3
    assert [w.split(":")[0] for w in pb.warnings] == ["line 8, field 'num_votes'", "line 17, field 'votes'"]
    assert parse_pabulib(GOOD, lenient=True).warnings == []
    for refused in (text.replace("budget;100,5", "budget;1e400"), text.replace("v2;1, 2,3", "v1;1, 2,3")):
        with pytest.raises(PabulibError):
            parse_pabulib(refused, lenient=True)


def test_a_file_with_every_cell_quoted_reads_the_same_and_fast() -> None:
    import time

    voters = 30_000
    plain = (f"META\nkey;value\nnum_projects;2\nnum_votes;{voters}\nbudget;10\nvote_type;approval\nPROJECTS\n"
             f"project_id;cost;votes\na;5;{voters}\nb;5;0\nVOTES\nvoter_id;vote\n")
    plain += "".join(f"{n};a\n" for n in range(voters))
    head, votes = plain.split("VOTES\n")
    quoted = head + "VOTES\n" + "".join(";".join(f'"{cell}"' for cell in line.split(";")) + "\n"
                                        for line in votes.splitlines())
    start = time.process_time()
    again = parse_pabulib(quoted)
    assert time.process_time() - start < 2.0  # one quoted row must not cost a pass over the rest of the file
    assert again.election().ballots == parse_pabulib(plain).election().ballots
