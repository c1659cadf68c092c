"""Benchmark of the tally engine against pabutools and pabulib-checker on the shared Pabulib files.

Run: python tests/benchmarks/tally.py [--quick] [--files NAME ...] [--rules RULE ...] [--ref-timeout S]
     [--ours-timeout S] [--no-reference] [--whole [--scaled VOTERS]]
Prints one Markdown table: parse time, our time (the rules' modules imported, and the garbage collections the
parse made due run, before the clock starts, as for the reference), the reference's time in the same run, their
ratio, our time over our parse time, and our peak memory (tracemalloc) for each file and rule.

With --whole, prints instead the whole-process table (issue 16): the CPU time (user + system, from the child's
rusage) of a `greenballot tally FILE --rule R` process against a python process running pabutools on the same
file, start-up, imports and parsing included, their ratio, our in-process time beside it, our peak RSS per voter,
and whether both select the same projects; also the CPU of `python -c pass` (the floor no process goes under) and
pabutools' CPU over it, and with --scaled our peak RSS per voter on the largest file's votes repeated to that many
voters. The load average is printed before and after: the machine is shared.
Our package's bytecode is compiled first (pabutools' was at its install): an editable checkout run with
PYTHONDONTWRITEBYTECODE would otherwise recompile every module in every process.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import io
import multiprocessing as mp
import os
import re
import subprocess
import sys
import tempfile
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
        gc.collect()  # the collections the parse made due are paid before the clock starts, on both sides
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
    if rule == "equalshares":
        instance = fundable(instance, profile)
    gc.collect()
    start = time.perf_counter()
    if rule == "greedy":
        greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    elif rule == "equalshares":
        sat = Cost_Sat if isinstance(profile, AbstractApprovalProfile) else Additive_Cardinal_Sat
        method_of_equal_shares(instance, profile, sat_class=sat)
    else:
        sequential_phragmen(instance, profile)
    queue.put(time.perf_counter() - start)


def fundable(instance: Any, profile: Any) -> Any:
    """The instance without the projects under the file's `min_project_score_threshold`, which our Equal Shares
    leaves out before it runs (Warszawa 2026: 3,000 votes; Łódź 2022: 100), so that both engines count the same
    projects (approval ballots; other profiles keep every project)."""
    from pabutools.election import Instance
    from pabutools.election.profile import AbstractApprovalProfile

    threshold = instance.meta.get("min_project_score_threshold")
    if not threshold or not isinstance(profile, AbstractApprovalProfile):
        return instance
    return Instance([p for p in instance if profile.approval_score(p) >= float(threshold)],
                    budget_limit=instance.budget_limit, meta=instance.meta, project_meta=instance.project_meta)


def ours(path: str, rule: str, queue: mp.Queue) -> None:
    """Time our engine (then, when that took under 30 s, its peak memory) in a child process that can be stopped."""
    import numpy  # noqa: F401 - loaded before the clock starts, as the reference's modules are

    for module in ("greedy", "phragmen", "single", "threshold", "equalshares", "mes_small", "mes_result", "add1",
                   "mes_comparison"):  # the rules' modules too (`tally` imports the one it runs on first use)
        importlib.import_module(f"voting.tally.{module}")
    election = parse_pabulib(Path(path).read_text(encoding="utf-8")).election()
    gc.collect()
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


def timed_ours(path: Path, rule: str, limit: float, target: Any = ours) -> tuple[float | None, float | None]:
    result = in_child(target, path, rule, limit)
    return (None, None) if result is _STOPPED else result  # type: ignore[no-any-return]


def _short(ref: str) -> bool:
    """True for a reference time (a number) of at most 10 s, or no reference at all ("-")."""
    try:
        return float(ref) <= 10
    except ValueError:
        return ref == "-"


def _best(ref: str, again: str) -> str:
    """The shorter of two reference times (a time beats anything else the table prints)."""
    try:
        return f"{min(float(ref), float(again)):.3f}"
    except ValueError:
        return ref if _short(ref) else again


def timed_reference(path: Path, rule: str, limit: float) -> str:
    try:
        seconds = in_child(reference, path, rule, limit)
        if seconds is _STOPPED:
            return f">{limit:.0f}"
    except Exception:  # noqa: BLE001 - the reference crashed: say so in the table
        return "error"
    return "tie" if seconds is None else f"{seconds:.3f}"


WHOLE_RULES = ("greedy", "equalshares", "phragmen")
_REFERENCE = """
import sys
from pabutools.election import Additive_Cardinal_Sat, Cost_Sat, Instance, parse_pabulib
from pabutools.election.profile import AbstractApprovalProfile
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares, sequential_phragmen
from pabutools.tiebreaking import lexico_tie_breaking
path, rule = sys.argv[1], sys.argv[2]
instance, profile = parse_pabulib(path)
sat = Cost_Sat if isinstance(profile, AbstractApprovalProfile) else Additive_Cardinal_Sat
floor = instance.meta.get("min_project_score_threshold", "").strip()
if rule == "equalshares" and floor and float(floor.replace(",", ".")) > 0:
    # as `greenballot tally` does for Equal Shares: only projects whose score reaches the file's minimum
    score = profile.approval_score if isinstance(profile, AbstractApprovalProfile) else profile.total_score
    limit = float(floor.replace(",", "."))
    instance = Instance([p for p in instance if score(p) >= limit], budget_limit=instance.budget_limit,
                        meta=instance.meta)
if rule == "greedy":
    chosen = greedy_utilitarian_welfare(instance, profile, sat_class=sat, tie_breaking=lexico_tie_breaking)
elif rule == "equalshares":
    chosen = method_of_equal_shares(instance, profile, sat_class=sat, tie_breaking=lexico_tie_breaking)
else:
    chosen = sequential_phragmen(instance, profile, tie_breaking=lexico_tie_breaking)
print("\\n".join(sorted(p.name for p in chosen)))
"""
_SELECTED = re.compile(r"^ *[0-9]+\. (.+?)  cost ", re.MULTILINE)


_LAUNCH = """
import os, sys
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"{usage.ru_utime + usage.ru_stime} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""
"""Runs a command and reports its rusage. The benchmark itself holds parsed files: a child forked from it would
count the benchmark's pages in its peak RSS (Linux keeps the high-water mark across exec), so a small launcher
process starts each measured one."""


def process_cpu(command: list[str], limit: float) -> tuple[float, float, str] | None:
    """(CPU seconds, peak RSS MiB, stdout) of one child process, from its own rusage; None past `limit` s."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, "-S", "-c", _LAUNCH, *command], stdout=out, stderr=err,
                                 start_new_session=True)
        try:
            child.wait(limit)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, 9)
            child.wait()
            return None
        out.seek(0)
        text = out.read().decode("utf-8")
        err.seek(0)
        cpu, rss, code = err.read().decode("utf-8").split()[-3:]
    if child.returncode != 0 or code != "0":
        raise RuntimeError(f"{command[:3]} exited with {code}")
    return float(cpu), int(rss) / 1024, text


def greenballot_command() -> list[str]:
    script = Path(sys.executable).with_name("greenballot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "voting.cli"]


def whole_ours(path: Path, rule: str, runs: int, limit: float) -> tuple[float, float, set[str]] | None:
    """The least CPU of `runs` `greenballot tally` processes (the machine is shared), their peak RSS, and the
    selection they print."""
    best: tuple[float, float, set[str]] | None = None
    for _ in range(runs):
        done = process_cpu([*greenballot_command(), "tally", str(path), "--rule", rule, "--tie-break", "lexico"],
                           limit)
        if done is None:
            return None
        cpu, rss, text = done
        chosen = set(_SELECTED.findall(text))
        if best is None or cpu < best[0]:
            best = (cpu, max(rss, best[1] if best else 0.0), chosen)
    return best


def whole_reference(path: Path, rule: str, runs: int, limit: float) -> tuple[float, set[str]] | None:
    """The least CPU of `runs` python processes running pabutools' `rule` on `path`, and its selection."""
    best: tuple[float, set[str]] | None = None
    for _ in range(runs):
        done = process_cpu([sys.executable, "-c", _REFERENCE, str(path), rule], limit)
        if done is None:
            return None
        cpu, _, text = done
        if best is None or cpu < best[0]:
            best = (cpu, set(text.split()))
    return best


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "unknown"


def ours_cpu(path: str, rule: str, queue: mp.Queue) -> None:
    """Our rule's CPU time in process (parsing excluded, numpy loaded first), in a child that can be stopped."""
    import numpy  # noqa: F401 - loaded before the clock starts, as in `ours`

    election = parse_pabulib(Path(path).read_text(encoding="utf-8")).election()
    start = time.process_time()
    tally(election, rule, "lexico")
    queue.put((time.process_time() - start, None))


def compile_ours() -> None:
    """Write our package's bytecode first, as `pip install` does (pabutools' is written at its install): with
    PYTHONDONTWRITEBYTECODE set, an editable checkout would otherwise compile every module in every process."""
    import compileall

    compileall.compile_dir(str(REPO / "voting"), quiet=2)
    print("bytecode: voting/ compiled before timing (as `pip install` does; pabutools' was at its install)")


def floor_cpu(runs: int = 10) -> float:
    """The least CPU of `runs` `python -c pass` processes: no process of ours can cost less."""
    return min(cpu for cpu, _, _ in (process_cpu([sys.executable, "-c", "pass"], 60) or (0.0, 0.0, "")
                                     for _ in range(runs)))


def scaled_file(path: Path, voters: int, folder: Path) -> Path:
    """``path`` with its VOTES rows repeated (voter ids renumbered) to at least ``voters`` voters; META
    ``num_votes`` and the PROJECTS ``votes`` column multiplied to match, so the file is exactly valid."""
    from voting.tally.pabulib import PabulibFile
    from voting.tally.pbwrite import write_pabulib

    pb = parse_pabulib(path.read_text(encoding="utf-8"))
    times = -(-voters // len(pb.votes))
    meta = dict(pb.meta)
    meta["num_votes"] = str(len(pb.votes) * times)
    col = pb.project_columns.index("votes") if "votes" in pb.project_columns else None
    projects = [row if col is None else (*row[:col], str(int(row[col]) * times), *row[col + 1:])
                for row in pb.projects]
    rows = [(str(n), *row[1:]) for n, row in enumerate((r for _ in range(times) for r in pb.votes), start=1)]
    out = folder / f"{path.stem}_x{times}.pb"
    out.write_text(write_pabulib(PabulibFile(meta, pb.project_columns, projects, pb.vote_columns, rows)),
                   encoding="utf-8")
    return out


def memory_rows(path: Path, voters: int, rules: list[str], args: argparse.Namespace) -> None:
    """Our whole process's peak RSS per voter on ``path`` scaled to ``voters`` voters (pabutools not run)."""
    with tempfile.TemporaryDirectory() as folder:
        big = scaled_file(path, voters, Path(folder))
        count = parse_pabulib(big.read_text(encoding="utf-8")).election().voters
        for rule in rules:
            if rule not in WHOLE_RULES:
                continue
            mine = whole_ours(big, rule, 1, args.ours_timeout)
            cells = [big.stem, str(count), rule, "-"]
            cells += ([f">{args.ours_timeout:.0f}", "-", "-"] if mine is None else
                      [f"{mine[0]:.3f}", f"{mine[1]:.0f}", f"{mine[1] * 1024 / count:.3f}"])
            print("| " + " | ".join(cells + ["-", "-", "-", "-"]) + " |", flush=True)


def whole_process_table(paths: list[Path], rules: list[str], args: argparse.Namespace) -> None:
    """The whole-process table of issue 16 (see the module docstring)."""
    compile_ours()
    print(f"load average before: {load_average()}")
    floor = floor_cpu()
    print(f"floor: `python -c pass` costs {floor:.4f} s CPU (least of 10); no process can cost less, so "
          "pabutools/floor bounds the ratio any `greenballot tally` could reach")
    print("Equal Shares: both sides fund only projects reaching the file's min_project_score_threshold (pabutools "
          "given the instance without the others); greedy and Phragmén: neither applies it")
    print("| file | voters | rule | in-process CPU s | ours whole CPU s | peak RSS MiB | KiB/voter | pabutools whole "
          "CPU s | pabutools/ours | pabutools/floor | same selection |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for path in paths:
        election = parse_pabulib(path.read_text(encoding="utf-8")).election()
        small = path.stat().st_size < BIG
        for rule in rules:
            if rule not in WHOLE_RULES or not _accepts(election.vote_type, rule):
                continue
            inner, _ = timed_ours(path, rule, args.ours_timeout, ours_cpu)
            mine = whole_ours(path, rule, 5 if small else 3, args.ours_timeout)
            theirs = None if args.no_reference else whole_reference(path, rule, 3 if small else 1,
                                                                     args.ref_timeout)
            cells = [path.stem, str(election.voters), rule, "-" if inner is None else f"{inner:.3f}"]
            if mine is None:
                cells += [f">{args.ours_timeout:.0f}", "-", "-"]
            else:
                cells += [f"{mine[0]:.3f}", f"{mine[1]:.0f}", f"{mine[1] * 1024 / max(election.voters, 1):.2f}"]
            if theirs is None:
                cells += ["-" if args.no_reference else f">{args.ref_timeout:.0f}", "-", "-", "-"]
            else:
                ratio = f"{theirs[0] / mine[0]:.0f}x" if mine else "-"
                same = "-" if mine is None else ("yes" if mine[2] == theirs[1] else
                                                 f"NO (ours-only {sorted(mine[2] - theirs[1])[:5]}, theirs-only "
                                                 f"{sorted(theirs[1] - mine[2])[:5]})")
                cells += [f"{theirs[0]:.3f}", ratio, f"{theirs[0] / floor:.0f}x", same]
            print("| " + " | ".join(cells) + " |", flush=True)
    if args.scaled and paths:
        memory_rows(max(paths, key=lambda p: p.stat().st_size), args.scaled, rules, args)
    print(f"load average after: {load_average()}")


ADD1_FILES = ("Hungary_Budapest_2024", "Poland_Lodz_2022", "Poland_Warszawa_2026")
ADD1_WAYS = ("jumps", "unit-steps", "pabutools")


def add1_child(path: str, way: str, queue: mp.Queue) -> None:
    """Time one way of computing Equal Shares with Add1 and put (seconds, selected ids) on the queue; a way ending
    in "/threshold" counts only the projects reaching the file's `min_project_score_threshold`, on both sides, as
    `greenballot tally --rule equalshares/add1` does."""
    import numpy  # noqa: F401 - loaded before the clock starts

    way, _, limited = way.partition("/")
    if way == "pabutools":
        from pabutools.election import Cost_Sat
        from pabutools.election import parse_pabulib as pabutools_parse
        from pabutools.rules import method_of_equal_shares

        instance, profile = pabutools_parse(path)
        if limited:
            instance = fundable(instance, profile)
        start = time.perf_counter()
        out = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
        queue.put((time.perf_counter() - start, {p.name for p in out}, None))
        return
    from voting.tally.add1 import add1, add1_stepwise
    from voting.tally.equalshares import MesProfile

    election = parse_pabulib(Path(path).read_text(encoding="utf-8")).election()
    if limited:
        from voting.tally.threshold import below_threshold, restricted

        election = restricted(election, set(below_threshold(election, election.threshold, None)))
    start, cpu = time.perf_counter(), time.process_time()
    prof = MesProfile(election, ("min-cost", "max-votes", "lexico"))
    runs, run, probe = [0, 0], prof.run, prof.probe

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs[0] += 1
        return run(*args, **kwargs)

    def probed(*args: Any, **kwargs: Any) -> Any:
        got = probe(*args, **kwargs)
        runs[1] += got is not None
        return got

    prof.run = counted  # type: ignore[method-assign]
    prof.probe = probed  # type: ignore[method-assign]
    outcome = (add1 if way == "jumps" else add1_stepwise)(prof, election.budget)
    queue.put((time.perf_counter() - start, set(outcome.winners), (runs[0] + runs[1], time.process_time() - cpu)))


def add1_table(paths: list[Path], args: argparse.Namespace) -> None:
    """Add1 on the big approval files: our jumps against our unit-step loop and pabutools, in the same run."""
    from voting.tally.probe_floats import kernel

    print(f"load average before: {load_average()}")
    built = kernel("_probe") and kernel("_chord")
    print(f"compiled loops (voting/tally/_probe.c, _chord.c): {'yes' if built else 'no: the numpy code runs'}")
    print("| file | voters | jumps s | jumps CPU s | MES runs (jumps: float probes and exact runs / unit steps) "
          "| unit-step loop s | pabutools s "
          "| same as unit steps | same as pabutools |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for path in paths:
        if path.stem not in ADD1_FILES:
            continue
        election = parse_pabulib(path.read_text(encoding="utf-8")).election()
        for limited in ("", "/threshold") if election.threshold else ("",):
            add1_row(path, election.voters, limited, args)
    print(f"load average after: {load_average()}")


def add1_row(path: Path, voters: int, limited: str, args: argparse.Namespace) -> None:
    """One row of the Add1 table: the whole file, or (limited) only the projects reaching its threshold."""
    done: dict[str, Any] = {}
    for way in ADD1_WAYS:
        if way == "pabutools" and args.no_reference:
            continue
        limit = args.ours_timeout if way == "jumps" else args.ref_timeout
        done[way] = in_child(add1_child, path, way + limited, limit)
    cells = [path.stem + (" (file's threshold)" if limited else ""), str(voters)]
    counts = [done.get(way) for way in ADD1_WAYS[:2]]
    for way in ADD1_WAYS:
        got = done.get(way)
        limit = args.ours_timeout if way == "jumps" else args.ref_timeout
        cells.append("-" if got is None else f">{limit:.0f}" if got is _STOPPED else f"{got[0]:.3f}")
        if way == "jumps":
            cells.append("-" if got in (None, _STOPPED) else f"{got[2][1]:.3f}")
            cells.append(" / ".join("-" if c in (None, _STOPPED) else str(c[2][0]) for c in counts))
    mine = done.get("jumps")
    for way in ("unit-steps", "pabutools"):
        other = done.get(way)
        if mine in (None, _STOPPED) or other in (None, _STOPPED):
            cells.append("-")
        else:
            cells.append("yes" if mine[1] == other[1] else f"NO (ours-only {sorted(mine[1] - other[1])[:5]}, "
                         f"theirs-only {sorted(other[1] - mine[1])[:5]})")
    print("| " + " | ".join(cells) + " |", flush=True)


def _accepts(vote_type: VoteType, rule: str) -> bool:
    if vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_ONE):
        return True
    return rule == "equalshares" and vote_type is VoteType.CUMULATIVE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only files under {BIG:,} bytes")
    parser.add_argument("--files", nargs="*", help="file stems to run (default: all)")
    parser.add_argument("--rules", nargs="*", default=list(RULES))
    parser.add_argument("--ref-timeout", type=float, default=600.0, help="seconds before a reference is stopped")
    parser.add_argument("--ours-timeout", type=float, default=600.0, help="seconds before our engine is stopped")
    parser.add_argument("--no-reference", action="store_true", help="time only our engine")
    parser.add_argument("--repeat", type=int, default=3,
                        help="best of this many runs of both sides, each in a fresh process, where ours takes at "
                             "most 1 s and the reference at most 10 s (one machine hiccup no longer sets a ratio)")
    parser.add_argument("--whole", action="store_true",
                        help="whole-process CPU of `greenballot tally` against pabutools (greedy, Equal Shares, "
                             "Phragmén)")
    parser.add_argument("--scaled", type=int, default=0, metavar="VOTERS",
                        help="with --whole: also our peak RSS per voter on the largest file's votes repeated to "
                             "VOTERS voters (1000000 for issue 16)")
    parser.add_argument("--add1", action="store_true",
                        help="Add1 on Budapest 2024, Łódź 2022, Warszawa 2026: jumps, unit-step loop, pabutools "
                             "(a second row for a file with a min_project_score_threshold: only the projects "
                             "reaching it)")
    args = parser.parse_args()
    paths = sorted(data_dir().glob("*.pb"), key=lambda p: p.stat().st_size)
    if args.files:
        paths = [p for p in paths if p.stem in args.files]
    if args.quick:
        paths = [p for p in paths if p.stat().st_size < BIG]
    if args.whole:
        whole_process_table(paths, args.rules, args)
        return
    if args.add1:
        add1_table(paths, args)
        return
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
            for _ in range(args.repeat - 1):  # best of several runs of both sides, while they are short
                if seconds is None or seconds > 1 or not _short(ref):
                    break
                again = timed_ours(path, rule, args.ours_timeout)[0]
                seconds = seconds if again is None else min(seconds, again)
                ref = _best(ref, timed_reference(path, rule, args.ref_timeout))
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
