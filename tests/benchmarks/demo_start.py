"""Benchmark of the demo's cold start: ``greenballot demo`` on a fresh data directory, from process start to the
first 200 of ``/health`` and of the home page.

    .venv/bin/python tests/benchmarks/demo_start.py [--runs 3] [--machine-postgres]

Target (issue 14): under 5 s. By default the demo starts its embedded PostgreSQL in the fresh data directory (what
a newcomer runs); ``--machine-postgres`` uses an empty database of its own on the machine's server instead (created,
then dropped), which leaves out initdb. The load average is printed: other work on the machine slows it down.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.serving import GREENBALLOT, free_port, temp_database  # noqa: E402

__all__ = ["main"]

TARGET = 5.0


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])


@contextlib.contextmanager
def _environment(machine: bool) -> Iterator[dict[str, str]]:
    if machine:
        with temp_database("gb_bench_demo") as env:
            yield env
        return
    with tempfile.TemporaryDirectory(prefix="gb-bench-demo-") as data:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        yield {**env, "GREENBALLOT_DATA_DIR": data}


def _one(machine: bool) -> tuple[float, float]:
    """Seconds from start to the first 200 of /health, then of /."""
    import httpx

    with _environment(machine) as env:
        port = free_port()
        start = time.perf_counter()
        process = subprocess.Popen([GREENBALLOT, "demo", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        found: dict[str, float] = {}
        try:
            while len(found) < 2:
                if process.poll() is not None:
                    raise SystemExit(f"greenballot demo exited: {process.stderr.read() if process.stderr else ''}")
                if time.perf_counter() - start > 180:
                    raise SystemExit("greenballot demo did not answer within 180 s")
                for path in ("/health", "/"):
                    if path in found:
                        continue
                    try:
                        if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5).status_code == 200:
                            found[path] = time.perf_counter() - start
                    except httpx.HTTPError:
                        break
                time.sleep(0.02)
        finally:
            os.killpg(process.pid, signal.SIGTERM)  # the demo and its embedded PostgreSQL
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        return found["/health"], found["/"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--machine-postgres", action="store_true",
                        help="an empty database on the machine's PostgreSQL instead of the embedded one")
    args = parser.parse_args()
    where = "machine PostgreSQL" if args.machine_postgres else "embedded PostgreSQL"
    print(f"greenballot demo cold start ({where}), target {TARGET:.0f} s; load average {_load()}")
    health, home = [], []
    for run in range(1, args.runs + 1):
        first, second = _one(args.machine_postgres)
        health.append(first)
        home.append(second)
        print(f"run {run}: /health {first:5.2f} s   / {second:5.2f} s   (load {_load()})")
    median = statistics.median(home)
    print(f"median: /health {statistics.median(health):5.2f} s   / {median:5.2f} s   "
          f"{'OK' if median < TARGET else 'MISSED'} (target {TARGET:.0f} s)")


if __name__ == "__main__":
    main()
