"""Benchmark of the tally engine against pabutools and pabulib-checker on the shared Pabulib files.

Run: python tests/benchmarks/tally.py [--quick] [--files NAME ...] [--rules RULE ...] [--ref-timeout S]
     [--ours-timeout S] [--no-reference]
Prints one Markdown table: parse time, our time, the reference's time in the same run, their ratio,
our time over our parse time, and our peak memory (tracemalloc) for each file and rule.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing as mp
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from voting.tally import VoteType, parse_pabulib, tally  # noqa: E402

RULES = ("greedy", "equalshares", "phragmen", "equalshares/add1")
BIG = 800_000


def data_dir() -> Path:
    env = os.environ.get("GREENBALLOT_PABULIB_DIR")
    return Path(env) if env else REPO / ".." / "shared" / "data" / "pabulib"


def reference(path: str, rule: str, queue: mp.Queue) -> None:
    """Time the reference implementation of `rule` in a child process (so it can be stopped)."""
    if rule == "equalshares/add1":
        from pabulib.checker import Checker
        from pabulib_helpers import parse_pb_lines

        checker = Checker()
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        checker.meta, checker.projects, checker.votes, _, _ = parse_pb_lines(lines)
        start = time.perf_counter()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                checker._compute_equalshares_winners(add1=True)
        except ValueError:
            queue.put(None)
            return
        queue.put(time.perf_counter() - start)
        return
    from pabutools.election import Additive_Cardinal_Sat, Cost_Sat
    from pabutools.election import parse_pabulib as pabutools_parse
    from pabutools.election.profile import AbstractApprovalProfile
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen

    instance, profile = pabutools_parse(path)
    start = time.perf_counter()
    if rule == "greedy":
        greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    elif rule == "equalshares":
        sat = Cost_Sat if isinstance(profile, AbstractApprovalProfile) else Additive_Cardinal_Sat
        method_of_equal_shares(instance, profile, sat_class=sat)
    else:
        sequential_phragmen(instance, profile)
    queue.put(time.perf_counter() - start)


def ours(path: str, rule: str, queue: mp.Queue) -> None:
    """Time our engine (then, when that took under 30 s, its peak memory) in a child process that can be stopped."""
    import numpy  # noqa: F401 - loaded before the clock starts, as the reference's modules are

    election = parse_pabulib(Path(path).read_text(encoding="utf-8")).election()
    start = time.perf_counter()
    tally(election, rule, "lexico" if rule != "equalshares/add1" else "min-cost,max-votes,lexico")
    seconds = time.perf_counter() - start
    peak = None
    if seconds < 30:
        tracemalloc.start()
        tally(parse_pabulib(Path(path).read_text(encoding="utf-8")).election(), rule)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    queue.put((seconds, peak))


_STOPPED = object()


def in_child(target: Any, path: Path, rule: str, limit: float) -> Any:
    """What `target(path, rule, queue)` put on the queue, run in a forked child; _STOPPED after `limit` seconds."""
    ctx = mp.get_context("fork")
    queue: mp.Queue = ctx.Queue()
    child = ctx.Process(target=target, args=(str(path), rule, queue))
    child.start()
    child.join(limit)
    if child.is_alive():
        child.terminate()
        child.join()
        return _STOPPED
    return queue.get(timeout=1)


def timed_ours(path: Path, rule: str, limit: float) -> tuple[float | None, float | None]:
    result = in_child(ours, path, rule, limit)
    return (None, None) if result is _STOPPED else result  # type: ignore[no-any-return]


def timed_reference(path: Path, rule: str, limit: float) -> str:
    try:
        seconds = in_child(reference, path, rule, limit)
        if seconds is _STOPPED:
            return f">{limit:.0f}"
    except Exception:  # noqa: BLE001 - the reference crashed: say so in the table
        return "error"
    return "tie" if seconds is None else f"{seconds:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only files under {BIG:,} bytes")
    parser.add_argument("--files", nargs="*", help="file stems to run (default: all)")
    parser.add_argument("--rules", nargs="*", default=list(RULES))
    parser.add_argument("--ref-timeout", type=float, default=600.0, help="seconds before a reference is stopped")
    parser.add_argument("--ours-timeout", type=float, default=600.0, help="seconds before our engine is stopped")
    parser.add_argument("--no-reference", action="store_true", help="time only our engine")
    args = parser.parse_args()
    paths = sorted(data_dir().glob("*.pb"), key=lambda p: p.stat().st_size)
    if args.files:
        paths = [p for p in paths if p.stem in args.files]
    if args.quick:
        paths = [p for p in paths if p.stat().st_size < BIG]
    print("| file | voters | rule | parse s | ours s | reference s | reference/ours | ours/parse | peak MiB |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for path in paths:
        start = time.perf_counter()
        election = parse_pabulib(path.read_text(encoding="utf-8")).election()
        parse = time.perf_counter() - start
        for rule in args.rules:
            approval = election.vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_ONE)
            if not (approval or (rule == "equalshares" and election.vote_type is VoteType.CUMULATIVE)):
                continue
            seconds, peak = timed_ours(path, rule, args.ours_timeout)
            ref = "-" if args.no_reference else timed_reference(path, rule, args.ref_timeout)
            if seconds is None:
                print(f"| {path.stem} | {election.voters} | {rule} | {parse:.3f} | >{args.ours_timeout:.0f} | {ref} "
                      f"| - | - | - |", flush=True)
                continue
            try:
                ratio = f"{float(ref) / seconds:.0f}x"
            except ValueError:
                ratio = f">{float(ref[1:]) / seconds:.0f}x" if ref.startswith(">") else "-"
            memory = "-" if peak is None else f"{peak:.0f}"
            print(
                f"| {path.stem} | {election.voters} | {rule} | {parse:.3f} | {seconds:.3f} | {ref} | {ratio} "
                f"| {seconds / parse:.1f} | {memory} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
