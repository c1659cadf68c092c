"""The VOTES section read in blocks into compact arrays: the same rows, ballots, lines and refusals as row by row,
and a few bytes per voter."""

from __future__ import annotations

import random
import tracemalloc

import pytest

from voting.tally import pabulib
from voting.tally.model import Ballots
from voting.tally.pabulib import PabulibError, parse_pabulib

HEAD = ("META\nkey;value\nnum_projects;4\nnum_votes;{n}\nbudget;100\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost;name\na;10;\"A, first\"\nb;20;B\nc;30;C\nd;40;\"D\nover two lines\"\n"
        "VOTES\nvoter_id;vote;age\n")
FIRST_VOTE_LINE = 16


def election_text(n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    rows = [f"{v};{','.join(rng.sample('abcd', rng.randint(0, 3)))};{rng.randint(18, 90)}\n" for v in range(n)]
    return HEAD.format(n=n) + "".join(rows)


def row_by_row(text: str) -> pabulib.PabulibFile:
    """The same text read with a block so small that nearly every block needs the row-by-row reader."""
    saved = pabulib._BLOCK
    pabulib._BLOCK = 1
    try:
        return parse_pabulib(text)
    finally:
        pabulib._BLOCK = saved


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_blocks_of_any_size_read_the_same_rows_ballots_and_lines(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    text = election_text(300)
    monkeypatch.setattr(pabulib, "_BLOCK", block)
    pb = parse_pabulib(text)
    election = pb.election()
    assert isinstance(election.ballots, Ballots)
    lines = text.split("\n")
    assert list(pb.votes) == [tuple(line.split(";")) for line in lines[FIRST_VOTE_LINE - 1:-1]]
    assert [b.projects for b in election.ballots] == [tuple(r[1].split(",")) if r[1] else () for r in pb.votes]
    assert [pb.line_of("votes", i) for i in (0, 150, 299)] == [FIRST_VOTE_LINE, FIRST_VOTE_LINE + 150,
                                                               FIRST_VOTE_LINE + 299]
    assert sum(election.ballot_counts.values()) == 300
    assert election.project_by_id["d"].name == "D\nover two lines"


def test_quoted_rows_and_blank_lines_among_the_votes_read_as_written() -> None:
    text = election_text(200)
    lines = text.split("\n")
    lines[FIRST_VOTE_LINE + 120] = '"121";"a,b";"33"'
    lines.insert(FIRST_VOTE_LINE + 50, "")
    changed = "\n".join(lines)
    pb = parse_pabulib(changed)
    assert pb.votes[121] == ("121", "a,b", "33")
    assert pb.election().ballots[121].projects == ("a", "b")
    assert pb.line_of("votes", 121) == FIRST_VOTE_LINE + 122  # the blank line counts
    assert pb.election().ballots == row_by_row(changed).election().ballots


@pytest.mark.parametrize(("old", "new", "message"), [
    ("\n150;", "\n7;", "line 166, field 'voter_id': voter '7' appears twice"),
    ("\n150;", "\n ;", "line 166, field 'voter_id': empty voter id"),
    ("\n150;", "\n150;x,", "line 166, field 'vote': vote names unknown project 'x'"),
    ("\n150;", "\n150;a;", "line 166: 4 fields where the VOTES header has 3"),
])
def test_a_fault_deep_in_a_block_names_its_line(old: str, new: str, message: str) -> None:
    text = election_text(300).replace(old, new, 1)
    for read in (parse_pabulib, row_by_row):
        with pytest.raises(PabulibError) as raised:
            read(text)
        assert str(raised.value).startswith(message)


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
@pytest.mark.parametrize(("old", "new", "message"), [
    ("\n1150;", "\n1007;", "line 166, field 'voter_id': voter '1007' appears twice"),
    ("\n1150;", "\n1149;", "line 166, field 'voter_id': voter '1149' appears twice"),
    ("\n1299;", "\n1000;", "line 315, field 'voter_id': voter '1000' appears twice"),
    ("\n1150;", "\n0150;", None),  # as long, out of order, yet distinct: read
])
def test_voter_ids_of_one_length_are_checked_in_text_order(monkeypatch: pytest.MonkeyPatch, block: int, old: str,
                                                           new: str, message: str | None) -> None:
    lines = election_text(300).split("\n")
    for n in range(300):
        lines[FIRST_VOTE_LINE - 1 + n] = str(1000 + n) + lines[FIRST_VOTE_LINE - 1 + n][len(str(n)):]
    text = "\n".join(lines).replace(old, new, 1)
    monkeypatch.setattr(pabulib, "_BLOCK", block)
    if message is None:
        assert parse_pabulib(text).election().voters == 300
        return
    with pytest.raises(PabulibError) as raised:
        parse_pabulib(text)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize("block", [1, 7, 1 << 20])
@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1f", "\x7f", "\x0b"])
def test_a_control_character_anywhere_is_refused_at_its_line(monkeypatch: pytest.MonkeyPatch, block: int,
                                                             character: str) -> None:
    text = election_text(300).replace("\n250;", f"\n250;{character}", 1)
    monkeypatch.setattr(pabulib, "_BLOCK", block)
    with pytest.raises(PabulibError, match=f"line 266: control character U\\+{ord(character):04X}"):
        parse_pabulib(text)
    other = election_text(300).replace(";B\n", ";B\u00e9\u0142\U0001f600\u0080\u009f\t\n", 1)  # not controls here
    assert parse_pabulib(other).election().project_by_id["b"].name == "B\u00e9\u0142\U0001f600\u0080\u009f"


def test_a_votes_marker_inside_a_quoted_name_is_not_a_section() -> None:
    text = election_text(20).replace("over two lines", "VOTES\nvoter_id;vote")
    pb = parse_pabulib(text)
    assert pb.election().project_by_id["d"].name == "D\nVOTES\nvoter_id;vote"
    assert pb.election().voters == 20


@pytest.mark.parametrize("shuffled", [False, True])
def test_a_read_election_costs_a_few_bytes_per_voter(monkeypatch: pytest.MonkeyPatch, shuffled: bool) -> None:
    voters = 100_000
    text = election_text(voters)
    if shuffled:  # voter ids no longer increasing: their hashes are kept while reading
        head, rows = text.split("voter_id;vote;age\n")
        lines = rows.splitlines(keepends=True)
        random.Random(2).shuffle(lines)
        text = head + "voter_id;vote;age\n" + "".join(lines)
    monkeypatch.setattr(pabulib, "_BLOCK", 1 << 17)  # blocks of 10,000 rows: what a block costs is not per voter
    tracemalloc.start()
    try:
        election = parse_pabulib(text).election()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert election.voters == voters
    # kept: the VOTES text for `votes` (~12 bytes a row here) and 8 bytes of arrays a voter; a tuple of strings
    # per row cost ~250 bytes a voter here
    assert held / voters < 40
    assert peak / voters < (150 if shuffled else 60)


def test_tally_builds_the_election_once_and_imports_no_check_json_or_pathlib(tmp_path: object) -> None:
    import subprocess
    import sys
    from pathlib import Path

    path = Path(str(tmp_path)) / "e.pb"
    path.write_text(election_text(50), encoding="utf-8")
    probe = ("import sys, io, contextlib\nimport voting.tally.pbelection as pe, voting.tally.pabulib as pl\n"
             "built = []\noriginal = pe.build_election\n"
             "pl.build_election = lambda *a, **k: built.append(1) or original(*a, **k)\n"
             "from voting.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             f"    main(['tally', {str(path)!r}, '--rule', 'greedy'])\n"
             "print(len(built), sorted(m for m in ('json', 'pathlib', 'voting.tally.check', 'numpy') "
             "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split("\n")[0] in ("1 []", "1 ['pathlib']")  # pathlib only through voting.i18n


@pytest.mark.parametrize("removed", [(), ("b",), ("a", "d"), ("a",), ("a", "b", "c", "d")])
def test_the_numbers_equal_shares_and_phragmen_run_on_are_the_ballots_projects(removed: tuple[str, ...]) -> None:
    """A read file's ballots numbered once (when a rule first asks), and a threshold's view of them
    (``without``, filtered only when read): every distinct ballot's projects, those left out dropped, by their
    number in the rule's order (here not the file's), with the pairs counted from the reader's counts."""
    pytest.importorskip("numpy")
    rng = random.Random(3)
    rows = [f"{v};{','.join(rng.sample('abcd', rng.randint(1, 4)))};30\n" for v in range(400)]
    ballots = parse_pabulib(HEAD.format(n=400) + "".join(rows)).election().ballots
    assert isinstance(ballots, Ballots) and ballots.numbers is not None  # the spelled path: no empty ballot
    first, second = set(removed[:1]), set(removed[1:])
    view = ballots.without(first).without(second) if second else ballots.without(first)
    index = {pid: n for n, pid in enumerate(p for p in "dcba" if p not in removed)}
    flat, lengths = view.incidence(index)
    by_voter = [tuple(r.split(";")[1].split(",")) for r in rows]
    distinct = list(dict.fromkeys(by_voter))
    expected = [[index[p] for p in projects if p not in removed] for projects in distinct]
    assert lengths.tolist() == [len(g) for g in expected]
    assert flat.tolist() == [n for g in expected for n in g]
    assert view.pairs() == len(flat)
    assert view.numbered(index) == expected
    assert [b.projects for b in view] == [tuple(p for p in projects if p not in removed) for projects in by_voter]
    assert ballots.numbers.arrays() is view.numbers.arrays()  # numbered once for the file and its views
    assert ballots.pairs() == sum(map(len, distinct))
    if index:
        with pytest.raises(KeyError):  # a project kept in the ballots must be one the rule numbers
            ballots.incidence({pid: n for n, pid in enumerate(sorted(index)[1:])})
