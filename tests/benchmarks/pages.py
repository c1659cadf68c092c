"""Benchmark: CPU per request of the public pages, measured in the server process, against ``/health``.

    .venv/bin/python tests/benchmarks/pages.py [--requests 200] [--file PATH.pb]

Seeds the demo city (``greenballot demo --seed-only``), imports, tallies and publishes a large Pabulib ballot
(Łódź 2022, about 90,000 votes), starts ``greenballot serve --workers 1`` and, for each page, sends N requests one
after the other (after a warm-up), reading the server's CPU time (``/proc/<pid>/stat`` utime + stime) before and
after. Prints CPU ms per request and its ratio to ``/health`` measured in the same run. Targets: home, proposals
and the demo results page at most 3x ``/health``; the 90,000-vote results page at most 5x.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.serving import ROOT, cpu_seconds, greenballot, served, temp_database  # noqa: E402

__all__ = ["main"]


async def _published(url: str) -> list[tuple[int, int]]:
    """(ballot id, counted votes) of every published ballot."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch("SELECT b.id, (SELECT count(*) FROM vote v WHERE v.ballot_id = b.id) FROM ballot b "
                                "WHERE b.status = 'published' ORDER BY b.id")
    finally:
        await conn.close()
    return [(row[0], row[1]) for row in rows]


def _measure(base: str, pid: int, path: str, count: int) -> tuple[float, float]:
    """(server CPU ms per request, wall ms per request) over ``count`` sequential requests after a warm-up."""
    import httpx

    with httpx.Client(base_url=base, timeout=60) as http:
        for _ in range(5):
            response = http.get(path)
            assert response.status_code == 200, (path, response.status_code)
        before, start = cpu_seconds(pid), time.perf_counter()
        for _ in range(count):
            http.get(path)
        wall = time.perf_counter() - start
        cpu = cpu_seconds(pid) - before
    return cpu * 1000 / count, wall * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", default=str(ROOT.parent / "shared" / "data" / "pabulib" / "Poland_Lodz_2022.pb"))
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with temp_database("gb_bench_pages") as env:
        greenballot(env, "db", "upgrade")
        greenballot(env, "demo", "--seed-only")
        big = int(greenballot(env, "ballot", "import", args.file).split()[-1])
        greenballot(env, "ballot", "tally", str(big))
        greenballot(env, "ballot", "publish", str(big))
        published = asyncio.run(_published(env["DATABASE_URL"]))
        demo = min((b for b in published if b[0] != big and b[1] > 0), key=lambda b: b[1])
        votes = dict(published)
        pages = [("/health", "/health"), ("home", "/"), ("proposals", "/proposals"),
                 (f"results, demo ballot ({demo[1]} votes)", f"/ballots/{demo[0]}/results"),
                 (f"results, {Path(args.file).stem} ({votes[big]} votes)", f"/ballots/{big}/results")]
        limits = {"home": 3, "proposals": 3, f"results, demo ballot ({demo[1]} votes)": 3}
        with served(env) as (base, pid):
            figures = [(label, *_measure(base, pid, path, args.requests)) for label, path in pages]
        health = figures[0][1]
        print(f"{'page':44} {'CPU ms/req':>10} {'x /health':>9} {'wall ms':>8}  target")
        for label, cpu, wall in figures:
            ratio = cpu / health if health else float("nan")
            limit = limits.get(label, 5 if label.startswith("results") else None)
            verdict = "" if limit is None else f"<= {limit}x: {'MET' if ratio <= limit else 'NOT MET'}"
            print(f"{label:44} {cpu:10.2f} {ratio:9.2f} {wall:8.2f}  {verdict}")
        print(f"({args.requests} requests each, greenballot serve --workers 1; the machine is shared with other "
              "engineers' work, so absolute figures are indicative, ratios less so)")


if __name__ == "__main__":
    main()
