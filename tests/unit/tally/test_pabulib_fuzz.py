"""Fuzzing the Pabulib reader through the `tally` command on real files: every mutation ends within 2 s, either
in the unmutated file's result (harmless changes: CRLF, BOM, blank lines, row order) or in a one-line refusal
naming the line (changes of meaning: a cut, a copied or lost row, a wrong count, a huge number, binary data)."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.tally.cli import register

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "tests" / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb"))
LIMIT = 2.0  # CPU seconds per in-process run (CPU time: a machine shared by other jobs does not make it flaky)
CASES = int(os.environ.get("GREENBALLOT_FUZZ_CASES", "300"))
REFUSAL = re.compile(r"greenballot tally: error: (line \d+|missing section [A-Z]+)[^\n]*\n")
SAME, REFUSE, SAME_OR_REFUSE = "same result", "refusal", "same result or refusal"
BAD_NUMBERS = ["1e999999999", "1e400", "9" * 25, "9" * 5000, "-5", "\u00b2", "\u0661\u0662", "NaN", "inf",
               "1_000", "0x10", "1/2", "12 000", "9" * 20]
"""Refused wherever a number is expected."""
BAD_COUNTS = [*BAD_NUMBERS, "99999999999", "1.5", "2,0"]
BAD_AMOUNTS = [*BAD_NUMBERS, "0", "-0", "0.0", "", "9223372036854775808", "9007199254740992", "1.0000000001"]


class Hang(BaseException):  # noqa: N818 - not an Exception: the command's own handler must not catch it
    """The run went past the hard limit in wall-clock time (a hang, even one that sleeps); raised by SIGALRM."""


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str
    seconds: float


@contextlib.contextmanager
def hard_limit(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def tally_file(path: Path) -> Outcome:
    """What `greenballot tally FILE` answers, run in this process through the command's own function."""
    parser = argparse.ArgumentParser(prog="greenballot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["tally", str(path)])
    out, err = io.StringIO(), io.StringIO()
    start = time.process_time()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), hard_limit(10 * LIMIT):
        code = int(args.func(args))
    return Outcome(code, out.getvalue(), err.getvalue(), time.process_time() - start)


@cache
def baseline(path: Path) -> Outcome:
    outcome = tally_file(path)
    assert outcome.code == 0 and outcome.err == "" and outcome.out, outcome
    return outcome


class Layout:
    """Where the sections and rows of a file are, as indexes in its list of lines."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        marks = {line.strip(): n for n, line in enumerate(self.lines) if line.strip() in ("META", "PROJECTS", "VOTES")}
        self.meta, self.projects, self.votes = marks["META"], marks["PROJECTS"], marks["VOTES"]
        self.last = max(n for n, line in enumerate(self.lines) if line.strip())
        self.meta_rows = range(self.meta + 2, self.projects)
        self.project_rows = range(self.projects + 2, self.votes)
        self.vote_rows = range(self.votes + 2, self.last + 1)
        self.eol = "\r" if self.lines[0].endswith("\r") else ""

    def meta_row(self, key: str) -> int | None:
        return next((n for n in self.meta_rows if self.lines[n].split(";")[0] == key), None)

    def text(self, lines: list[str]) -> bytes:
        return "\n".join(lines).encode()


Mutation = Callable[[st.DataObject, Layout], tuple[bytes, str, str]]
"""(data, layout) -> (mutated bytes, expected outcome, description)."""


def cut_at_line(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    keep = data.draw(st.integers(1, f.last), label="lines kept")
    newline = data.draw(st.booleans(), label="final newline")
    return f.text(f.lines[:keep]) + (b"\n" if newline else b""), REFUSE, f"cut after line {keep}"


def cut_inside_line(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    line = data.draw(st.sampled_from([n for n in range(f.last + 1) if len(f.lines[n].rstrip("\r")) > 1]),
                     label="line")
    at = data.draw(st.integers(1, len(f.lines[line].rstrip("\r")) - 1), label="position")
    expected = SAME_OR_REFUSE if line == f.last else REFUSE  # the last line may lose a demographic column only
    return f.text(f.lines[:line] + [f.lines[line][:at]]), expected, f"cut inside line {line + 1} at {at}"


def copy_row(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    rows = data.draw(st.sampled_from([f.meta_rows, f.project_rows, f.vote_rows]), label="section")
    row = data.draw(st.sampled_from(rows), label="row")
    at = data.draw(st.integers(row + 1, rows.stop), label="insert at")
    return f.text(f.lines[:at] + [f.lines[row]] + f.lines[at:]), REFUSE, f"line {row + 1} copied"


def copy_vote_as_new_voter(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    row = data.draw(st.sampled_from(f.vote_rows), label="row")
    copy = "fuzz-voter;" + f.lines[row].split(";", 1)[1]
    return f.text(f.lines[: f.last + 1] + [copy]), REFUSE, f"vote of line {row + 1} cast again by a new voter"


def reuse_voter_id(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    first, second = data.draw(st.lists(st.sampled_from(f.vote_rows), min_size=2, max_size=2, unique=True),
                              label="rows")
    lines = list(f.lines)
    lines[second] = lines[first].split(";", 1)[0] + ";" + lines[second].split(";", 1)[1]
    return f.text(lines), REFUSE, f"line {second + 1} given the voter id of line {first + 1}"


def drop_row(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    rows = data.draw(st.sampled_from([f.project_rows, f.vote_rows]), label="section")
    row = data.draw(st.sampled_from(rows), label="row")
    return f.text(f.lines[:row] + f.lines[row + 1:]), REFUSE, f"line {row + 1} dropped"


def change_count(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    key = data.draw(st.sampled_from(["num_votes", "num_projects"]), label="key")
    row = f.meta_row(key)
    assert row is not None
    stated = int(f.lines[row].split(";")[1])
    new = data.draw(st.integers(0, stated * 2 + 2).filter(lambda n: n != stated), label="count")
    lines = list(f.lines)
    lines[row] = f"{key};{new}{f.eol}"
    return f.text(lines), REFUSE, f"{key} {stated} -> {new}"


def swap_sections(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    blocks = [f.lines[f.meta:f.projects], f.lines[f.projects:f.votes], f.lines[f.votes:]]
    first, second = data.draw(st.sampled_from([(0, 1), (0, 2), (1, 2)]), label="sections")
    blocks[first], blocks[second] = blocks[second], blocks[first]
    return f.text([line for block in blocks for line in block]), REFUSE, f"sections {first} and {second} swapped"


def bad_number(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    lines = list(f.lines)
    value = data.draw(st.sampled_from(BAD_COUNTS), label="value")
    targets = ["budget", "cost", "num_votes", "num_projects"] + (["max_length"] if f.meta_row("max_length") else [])
    if "points" in f.lines[f.votes + 1]:
        targets.append("points")
    target = data.draw(st.sampled_from(targets), label="target")
    if target == "cost":
        value = data.draw(st.sampled_from(BAD_AMOUNTS), label="cost")
        row = data.draw(st.sampled_from(f.project_rows), label="project")
        cells = lines[row].split(";")
        cells[1] = value
        lines[row] = ";".join(cells)
    elif target == "points":
        row = data.draw(st.sampled_from(f.vote_rows), label="vote")
        cells = lines[row].split(";")
        col = f.lines[f.votes + 1].strip().split(";").index("points")
        cells[col] = ",".join([value, *cells[col].split(",")[1:]])
        lines[row] = ";".join(cells)
    else:
        if target == "budget":
            value = data.draw(st.sampled_from(BAD_AMOUNTS), label="budget")
        found = f.meta_row(target)
        assert found is not None
        lines[found] = f"{target};{value}{f.eol}"
    return f.text(lines), REFUSE, f"{target} = {value[:30]!r}"


def binary_garbage(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    raw = f.text(f.lines)
    at = data.draw(st.integers(0, len(raw)), label="position")
    junk = bytearray(data.draw(st.binary(max_size=16), label="junk"))
    junk.insert(data.draw(st.integers(0, len(junk)), label="where"),
                data.draw(st.sampled_from(b"\x00\x01\x07\x08\x0b\x0c\x1b\x7f\xc0\xfe\xff"), label="bad byte"))
    return raw[:at] + bytes(junk) + raw[at:], REFUSE, f"{bytes(junk)!r} inserted at byte {at}"


def open_quote(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    row = data.draw(st.sampled_from([*f.meta_rows, *f.project_rows, *f.vote_rows]), label="row")
    cells = f.lines[row].split(";")
    field = data.draw(st.integers(0, len(cells) - 1), label="field")
    cells[field] = '"' + cells[field]
    lines = list(f.lines)
    lines[row] = ";".join(cells)
    return f.text(lines), REFUSE, f"a quote opened in line {row + 1}, field {field + 1}"


def harmless(data: st.DataObject, f: Layout) -> tuple[bytes, str, str]:
    lines, done = list(f.lines), []
    rng = random.Random(data.draw(st.integers(0, 2**32), label="seed"))
    if data.draw(st.booleans(), label="shuffle votes"):
        rows = lines[f.vote_rows.start:f.vote_rows.stop]
        rng.shuffle(rows)
        lines[f.vote_rows.start:f.vote_rows.stop] = rows
        done.append("votes shuffled")
    if data.draw(st.booleans(), label="shuffle projects"):
        rows = lines[f.project_rows.start:f.project_rows.stop]
        rng.shuffle(rows)
        lines[f.project_rows.start:f.project_rows.stop] = rows
        done.append("projects shuffled")
    if data.draw(st.booleans(), label="shuffle meta"):
        rows = lines[f.meta_rows.start:f.meta_rows.stop]
        rng.shuffle(rows)
        lines[f.meta_rows.start:f.meta_rows.stop] = rows
        done.append("META shuffled")
    for _ in range(data.draw(st.integers(0, 3), label="blank lines")):
        at = rng.randrange(1, len(lines) + 1)
        lines.insert(at, data.draw(st.sampled_from(["", " ", "\t", f.eol]), label="blank"))
        done.append(f"blank line at {at + 1}")
    text = "\n".join(lines)
    ends = data.draw(st.sampled_from(["as is", "LF", "CRLF"]), label="line ends")
    if ends != "as is":
        text = text.replace("\r\n", "\n")
        text = text.replace("\n", "\r\n") if ends == "CRLF" else text
        done.append(ends)
    if data.draw(st.booleans(), label="BOM"):
        text = "\ufeff" + text
        done.append("BOM")
    return text.encode(), SAME, ", ".join(done) or "unchanged"


MUTATIONS: dict[str, Mutation] = {
    "cut at a line": cut_at_line, "cut inside a line": cut_inside_line, "row copied": copy_row,
    "vote cast twice": copy_vote_as_new_voter, "voter id reused": reuse_voter_id, "row dropped": drop_row,
    "count changed": change_count, "sections swapped": swap_sections, "bad number": bad_number,
    "binary garbage": binary_garbage, "quote opened": open_quote, "harmless": harmless,
}


def judge(expected: str, outcome: Outcome, base: Outcome, what: str) -> str:
    """Check one run; return how it ended."""
    assert outcome.seconds < LIMIT, f"{what}: {outcome.seconds:.2f} s"
    assert "Traceback" not in outcome.err and "internal error" not in outcome.err, f"{what}: {outcome.err}"
    if outcome.code == 0:
        assert expected != REFUSE, f"{what}: wrong success, the change of meaning was tallied:\n{outcome.out}"
        assert (outcome.out, outcome.err) == (base.out, ""), f"{what}: a different result"
        return "same"
    assert expected != SAME, f"{what}: a harmless change was refused: {outcome.err}"
    assert outcome.code == 2 and outcome.out == "", f"{what}: exit {outcome.code}"
    assert REFUSAL.fullmatch(outcome.err), f"{what}: not a one-line refusal naming its line: {outcome.err!r}"
    return "refused"


@pytest.mark.skipif(not FILES, reason="tests/data/pabulib is empty")
def test_every_mutation_ends_fast_in_the_same_result_or_a_one_line_refusal(tmp_path: Path) -> None:
    seen: Counter[tuple[str, str]] = Counter()
    slowest: dict[str, float] = defaultdict(float)
    target = tmp_path / "mutated.pb"

    def run(name: str) -> None:
        @settings(max_examples=-(-CASES // len(MUTATIONS)) + 5, deadline=None, database=None,  # some kinds have fewer
                  derandomize=not os.environ.get("GREENBALLOT_FUZZ_RANDOM"),
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(st.data())
        def case(data: st.DataObject) -> None:
            path = data.draw(st.sampled_from(FILES), label="file")
            content, expected, what = MUTATIONS[name](data, Layout(path.read_text(encoding="utf-8")))
            target.write_bytes(content)
            outcome = tally_file(target)
            ended = judge(expected, outcome, baseline(path), f"{path.name}: {what}")
            seen[name, ended] += 1
            slowest[name] = max(slowest[name], outcome.seconds)

        case()

    for name in MUTATIONS:  # each kind gets its share of the cases
        run(name)
    runs = sum(seen.values())
    print(f"\n{runs} fuzzed runs; slowest per mutation (s): "
          + ", ".join(f"{name} {seconds:.3f}" for name, seconds in sorted(slowest.items())))
    print("outcomes: " + ", ".join(f"{name}/{ended} {count}" for (name, ended), count in sorted(seen.items())))
    assert runs >= 300
    assert {name for name, _ in seen} == set(MUTATIONS)
    assert seen["harmless", "same"] and seen["cut at a line", "refused"] and seen["binary garbage", "refused"]


def _amsterdam() -> Layout:
    return Layout((DATA / "Netherlands_Amsterdam_643.pb").read_text(encoding="utf-8"))


SUBPROCESS_CASES = {
    "CRLF to LF and a BOM": (lambda f: b"\xef\xbb\xbf" + f.text(f.lines).replace(b"\r\n", b"\n"), 0),
    "cut after the first vote": (lambda f: f.text(f.lines[: f.votes + 3]), 2),
    "a voter copied": (lambda f: f.text(f.lines + [f.lines[f.votes + 2]]), 2),
    "an 11-byte budget": (lambda f: f.text([line if not line.startswith("budget;") else "budget;1e999999999"
                                            for line in f.lines]), 2),
    "binary garbage": (lambda f: f.text(f.lines)[:300] + b"\x00\xff\x01" + f.text(f.lines)[300:], 2),
}


@pytest.mark.skipif(not FILES, reason="tests/data/pabulib is empty")
@pytest.mark.parametrize("name", sorted(SUBPROCESS_CASES))
def test_the_real_command_answers_the_same(tmp_path: Path, name: str) -> None:
    """A handful through `greenballot tally` itself (a new interpreter: its start-up is inside the 5 s)."""
    mutate, code = SUBPROCESS_CASES[name]
    path = tmp_path / "mutated.pb"
    path.write_bytes(mutate(_amsterdam()))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "voting.cli", "tally", str(path)], cwd=REPO, capture_output=True,
                          text=True, timeout=30)
    assert time.perf_counter() - start < 5 * LIMIT / 2
    assert done.returncode == code, done.stderr
    if code == 0:
        assert done.stdout == baseline(DATA / "Netherlands_Amsterdam_643.pb").out and done.stderr == ""
    else:
        assert done.stdout == "" and REFUSAL.fullmatch(done.stderr), done.stderr
