"""`greenballot tally`: run a rule on a Pabulib file, explain it, or check a city's official result."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from voting.tally.model import ElectionError
from voting.tally.pabulib import PabulibError, PabulibFile, parse_pabulib
from voting.tally.result import TallyResult
from voting.tally.rules import RULES, RuleError, tally
from voting.tally.tiebreak import DEFAULT_TIE_BREAK, TieBreakError, parse_tie_break

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `greenballot tally` must start fast
if TYPE_CHECKING:
    import argparse
    from typing import Any

__all__ = ["plain_args", "register", "run"]

_EXPECTED = (OSError, UnicodeDecodeError, PabulibError, ElectionError, RuleError, TieBreakError)


def register(subparsers: Any) -> None:
    """Add the `tally` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser("tally", help="tally a Pabulib .pb file", description=__doc__)
    parser.add_argument("file", help="a Pabulib .pb file")
    parser.add_argument("--rule", choices=list(RULES), help="default: the file's rule if supported, else greedy")
    parser.add_argument("--tie-break", default=",".join(DEFAULT_TIE_BREAK),
                        help="chain of min-cost, max-cost, max-votes, lexico (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--explain", action="store_true", help="say why each project was or was not selected")
    parser.add_argument("--check", action="store_true", help="compare with the file's official selection")
    parser.set_defaults(func=run)


_FLAGS = {"--json": "json", "--explain": "explain", "--check": "check"}
_VALUED = {"--rule": "rule", "--tie-break": "tie_break"}


def plain_args(words: list[str]) -> Any:
    """The arguments of `tally` read without argparse (whose parsers cost more CPU than a small tally), or None
    for anything but one file and the options spelled out in full: argparse then reads them, with its help and
    its errors."""
    from types import SimpleNamespace

    values: dict[str, Any] = {"file": None, "rule": None, "tie_break": ",".join(DEFAULT_TIE_BREAK), "json": False,
                              "explain": False, "check": False}
    seen: set[str] = set()
    index = 0
    while index < len(words):
        word = words[index]
        name, equals, value = word.partition("=")
        if name in _VALUED and name not in seen:
            if not equals:
                index += 1
                if index == len(words) or words[index].startswith("-"):
                    return None
                value = words[index]
            values[_VALUED[name]] = value
        elif word in _FLAGS and word not in seen:
            values[_FLAGS[word]] = True
        elif not word.startswith("-") and values["file"] is None:
            values["file"] = word
        else:
            return None
        seen.add(name)
        index += 1
    if values["file"] is None or values["rule"] is not None and values["rule"] not in RULES:
        return None
    return SimpleNamespace(func=run, command="tally", **values)


def run(args: argparse.Namespace) -> int:
    """Run the command; return the exit code (0 ok, 1 official result not reproduced, 2 error)."""
    try:
        return _run(args)
    except _EXPECTED as error:
        print(f"greenballot tally: error: {_message(error)}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - the contract is one line, never a traceback
        print(f"greenballot tally: internal error: {type(error).__name__}: {_message(error)}", file=sys.stderr)
        return 70


def _message(error: BaseException) -> str:
    if isinstance(error, OSError):
        return f"{error.strerror or error}: {error.filename}" if error.filename else str(error)
    if isinstance(error, UnicodeDecodeError):
        line = error.object[: error.start].count(b"\n") + 1
        return f"line {line}: the file is not UTF-8 text (byte 0x{error.object[error.start]:02x})"
    return " ".join(str(error).split("\n"))


def _run(args: argparse.Namespace) -> int:
    chain = parse_tie_break(args.tie_break)
    # No rule here does linear algebra: OpenBLAS's thread pool, started when numpy loads, would cost a third of
    # numpy's import (about 30 ms of CPU) for nothing. A value the caller set is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with open(args.file, "rb") as handle:  # not pathlib: the command imports only what it runs
        text = handle.read()  # decoded by the reader, which splits the votes as bytes
    # Reading makes a few hundred thousand objects and no reference cycle: the collector, run every 700 of them,
    # would only walk them again and again (about a tenth of a large file's reading). The parsed file then stays
    # out of the collections the rule triggers.
    gc.disable()
    try:
        pb = parse_pabulib(text, keep_rows=False)
        del text  # the election is all the command needs: the text goes before the tally
        pb.election()
    finally:
        gc.enable()
    gc.freeze()
    args.read = pb  # kept by the caller: `greenballot` ends the process without freeing it (voting.cli._end_tally)
    with _progress() as progress:
        if args.check:
            from voting.tally.check import check_official

            report = check_official(pb, chain, progress)
        else:
            result = tally(pb.election(), args.rule or _default_rule(pb), chain, progress=progress)
    if args.check:
        if args.json:
            import json

            print(json.dumps(report.as_dict() | _explained(report.result, args.explain), ensure_ascii=False))
        else:
            verdict = "reproduces" if report.reproduced else "does NOT reproduce"
            print(f"{report.rule} (tie-break {','.join(chain)}) {verdict} the official result")
            if report.missing:
                print("  officially selected, not by us: " + ", ".join(report.missing))
            if report.extra:
                print("  selected by us, not officially: " + ", ".join(report.extra))
            if args.explain:
                _print_explanations(report.result)
        return 0 if report.reproduced else 1
    if args.json:
        import json

        print(json.dumps(result.as_dict(explain=args.explain), ensure_ascii=False))
    else:
        _print_result(result, pb.election().project_by_id, args.explain)
    return 0


def _default_rule(pb: PabulibFile) -> str:
    from voting.tally.check import default_rule  # only when no --rule is given

    return default_rule(pb)


def _explained(result: TallyResult, explain: bool) -> dict[str, Any]:
    return {"explanations": [e.as_dict() for e in result.explanations]} if explain else {}


def _print_result(result: TallyResult, projects: dict[str, Any], explain: bool) -> None:
    data = result.as_dict()
    print(f"rule {data['rule']}, tie-break {data['tie_break']}, budget {data['budget']}")
    for n, pid in enumerate(result.selected, start=1):
        project = projects[pid]
        print(f"{n:4}. {pid}  cost {data_number(project.cost)}  {project.name}")
    print(f"{len(result.selected)} selected, total cost {data['total_cost']}")
    if explain:
        _print_explanations(result)


def data_number(value: Any) -> str:
    from voting.tally.result import number

    return str(number(value))


def _print_explanations(result: TallyResult) -> None:
    for e in result.explanations:
        facts = ", ".join(f"{k}={_short(v)}" for k, v in e.facts.items())
        print(f"  {e.project}: {e.code} ({facts})")


def _short(value: Any) -> str:
    if isinstance(value, list):
        return "[" + "; ".join(" ".join(f"{k}={v}" for k, v in item.items()) for item in value) + "]"
    return str(value)


@contextmanager
def _progress() -> Iterator[Callable[[int], None] | None]:
    """A rich spinner on stderr for long Add1 searches, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=Console(stderr=True),
                  transient=True) as bar:
        task = bar.add_task("tallying")

        def report(per_voter: int) -> None:
            bar.update(task, description=f"Add1: trying a per-voter budget of {per_voter}")

        yield report
