"""The `tally` command: JSON output, --check, one-line errors, and a fast start."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, pabulib_dir

from voting.tally.cli import register, run

SMALL = """META
key;value
budget;10
vote_type;approval
rule;equalshares/add1
PROJECTS
project_id;cost;name;selected
a;6;A;0
b;5;B;1
c;3;C;0
VOTES
voter_id;vote
1;a,b
2;a,b
3;a
4;b,c
"""


def call(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="greenballot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["tally", *argv])
    return int(args.func(args))


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.pb"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_json_output_uses_the_file_rule_by_default(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert call(str(small), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rule"] == "equalshares/add1"
    assert data["tie_break"] == "min-cost,max-votes,lexico"
    assert data["budget"] == 10 and data["selected"] == ["b"] and data["total_cost"] == 5


def test_explain_and_rule_option(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert call(str(small), "--rule", "greedy", "--explain", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert {e["code"] for e in data["explanations"]} == {"selected", "over-budget"}
    assert call(str(small), "--rule", "greedy", "--explain") == 0
    assert "a: over-budget" in capsys.readouterr().out  # a and b tie on 3 approvals; min-cost puts b first


def test_check_reports_reproduction(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert call("--check", str(small)) == 0
    assert "reproduces the official result" in capsys.readouterr().out
    small.write_text(SMALL.replace("c;3;C;0", "c;3;C;1"), encoding="utf-8")
    assert call("--check", str(small)) == 1
    assert "officially selected, not by us: c" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.pb"], "No such file"),
        (["{small}", "--tie-break", "coin"], "unknown tie-break"),
        (["{small}", "--rule", "irv"], "does not accept approval"),
    ],
)
def test_errors_are_one_line_on_stderr(
    small: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert call(*[a.format(small=small) for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_malformed_file_error_names_line_and_field(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small.write_text(SMALL.replace("b;5;B", "b;five;B"), encoding="utf-8")
    assert call(str(small)) == 2
    assert "line 9, field 'cost'" in capsys.readouterr().err


def test_run_accepts_a_namespace() -> None:
    assert run(argparse.Namespace(file="/nonexistent.pb", rule=None, tie_break="lexico", json=False,
                                  explain=False, check=False)) == 2


def test_the_command_imports_no_web_stack() -> None:
    code = (
        "import sys, argparse; from voting.tally.cli import register;"
        "heavy = [m for m in ('litestar', 'sqlalchemy', 'sqlmodel', 'asyncpg') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_check_on_a_real_city_file(capsys: pytest.CaptureFixture[str]) -> None:
    folder = pabulib_dir()
    if folder is None or not (folder / "Poland_Swiecie_2023.pb").exists():
        pytest.skip("Pabulib data not found: set GREENBALLOT_PABULIB_DIR")
    assert call("--check", str(folder / "Poland_Swiecie_2023.pb"), "--json") == 0
    assert json.loads(capsys.readouterr().out)["reproduced"] is True


def test_the_command_line_ends_at_once_with_its_output_and_code(small: Path, tmp_path: Path) -> None:
    """`greenballot tally` ends its process without tearing the read file down: the output is all there and the
    exit code kept; a Python caller of main() gets the code back and goes on."""
    program = ("import sys\nfrom voting.cli import main\nsys.argv[1:] = sys.argv[2:]\nmain()\n"
               "print('not reached')")
    bad, other = tmp_path / "bad.pb", tmp_path / "other.pb"
    bad.write_text("x", encoding="utf-8")
    other.write_text(SMALL.replace("a;6;A;0", "a;6;A;1").replace("b;5;B;1", "b;5;B;0"), encoding="utf-8")
    for argv, code in (([str(small), "--rule", "greedy"], 0), ([str(other), "--check"], 1), ([str(bad)], 2)):
        done = subprocess.run([sys.executable, "-c", program, "-", "tally", *argv], cwd=REPO, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == code, done.stderr
        assert "not reached" not in done.stdout
        assert ("selected, total cost" in done.stdout) if code == 0 else True
    caller = ("import contextlib, io\nfrom voting.cli import main\nwith contextlib.redirect_stdout(io.StringIO()):\n"
              f"    code = main(['tally', {str(small)!r}, '--rule', 'greedy'])\nprint('returned', code)")
    done = subprocess.run([sys.executable, "-c", caller], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "returned 0", done.stderr
