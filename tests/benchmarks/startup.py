"""Benchmark of start-up: the CPU of ``greenballot --help`` against ``python -c pass``, and the resident memory of
a ``greenballot serve`` worker once it answers.

    .venv/bin/python tests/benchmarks/startup.py [--runs 30]

Targets: ``--help`` under 2x the CPU of ``python -c pass``; a worker under 80 MiB RSS. CPU is summed over the runs
from the children's rusage (user + system), so the figures are the processes' own, not the machine's.

The commands run with a bytecode cache (in a temporary ``PYTHONPYCACHEPREFIX``), as an installed greenballot has
one: with ``PYTHONDONTWRITEBYTECODE`` set, as on some development machines, every run of an editable install compiles
the project's modules again; that figure is printed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.serving import GREENBALLOT, greenballot, served, temp_database  # noqa: E402

__all__ = ["main"]


def _cpu(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Seconds of CPU per run of ``command`` (children's user + system time, over ``runs`` runs)."""
    before = os.times()
    for _ in range(runs):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    after = os.times()
    return (after.children_user - before.children_user + after.children_system - before.children_system) / runs


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rows = [("python -c pass", [sys.executable, "-c", "pass"]), ("greenballot --help", [GREENBALLOT, "--help"]),
            ("greenballot tally --help", [GREENBALLOT, "tally", "--help"]),
            ("greenballot verify --help", [GREENBALLOT, "verify", "--help"])]
    cached = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="gb-bench-pycache-")
    for _, command in rows:  # warm the file cache and write the bytecode
        _cpu(command, 2, cached)
    figures = [(label, _cpu(command, args.runs, cached)) for label, command in rows]
    base = figures[0][1]
    print(f"{'command':28} {'CPU ms/run':>10} {'x python -c pass':>17}")
    for label, cpu in figures:
        print(f"{label:28} {cpu * 1000:10.1f} {cpu / base:17.2f}")
    ratio = figures[1][1] / base
    print(f"greenballot --help: {ratio:.2f}x python -c pass (target < 2x: {'MET' if ratio < 2 else 'NOT MET'})")
    uncached = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    bare = _cpu(rows[0][1], args.runs, uncached)
    print(f"  without a bytecode cache (PYTHONDONTWRITEBYTECODE=1): "
          f"{_cpu(rows[1][1], args.runs, uncached) / bare:.2f}x")
    shutil.rmtree(cached["PYTHONPYCACHEPREFIX"], ignore_errors=True)
    with temp_database("gb_bench_startup") as env:
        greenballot(env, "db", "upgrade")
        with served(env) as (_, pid):
            rss = _rss_mib(pid)
    print(f"greenballot serve --workers 1, after its first /health: {rss:.1f} MiB RSS "
          f"(target < 80 MiB: {'MET' if rss < 80 else 'NOT MET'})")
    print("(the machine is shared with other engineers' work: CPU figures are indicative)")


if __name__ == "__main__":
    main()
