"""Benchmark: a large imported ballot's signed exports downloaded 20 times in parallel while ``/health`` is sampled.

    .venv/bin/python tests/benchmarks/exports.py [--file PATH.pb] [--clients 20]

Imports the file with ``greenballot ballot import``, tallies and publishes it (publication signs and stores the
exports), starts ``greenballot serve --workers 1``, then every client downloads every export file while another
process asks ``/health`` every 10 ms. Prints the download times and ``/health``'s p50/p99 (target: p99 under 100 ms),
then checks that the downloads are byte-identical to ``greenballot export`` and that ``greenballot verify`` accepts
them. Uses its own database on TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test), dropped at
the end.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.serving import ROOT, cpu_seconds, greenballot, percentile, served, temp_database  # noqa: E402

__all__ = ["main"]

NAMES = ["result.json", "result.csv", "election.pb", "bulletin.json", "bulletin.csv"]
FILES = NAMES + [f"{name}.sig" for name in NAMES] + ["keys.json"]


def _sample_health(url: str, stop: Any, out: Any) -> None:
    """In its own process (the downloading client's CPU must not delay the samples): GET /health every 10 ms."""
    import httpx

    samples: list[float] = []
    with httpx.Client(base_url=url, timeout=60) as http:
        while not stop.is_set():
            start = time.perf_counter()
            response = http.get("/health")
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200
            time.sleep(0.01)
    out.put(samples)


async def _downloads(url: str, ballot: int, clients: int) -> tuple[list[float], dict[str, bytes]]:
    import httpx

    got: dict[str, bytes] = {}

    async def client(http: httpx.AsyncClient) -> float:
        start = time.perf_counter()
        for name in FILES:
            response = await http.get(f"/ballots/{ballot}/exports/{name}")
            response.raise_for_status()
            got[name] = response.content
        return time.perf_counter() - start

    async with httpx.AsyncClient(base_url=url, timeout=120, limits=httpx.Limits(max_connections=clients)) as http:
        times = await asyncio.gather(*(client(http) for _ in range(clients)))
    return list(times), got


def _under_load(url: str, ballot: int, clients: int) -> tuple[list[float], list[float], dict[str, bytes]]:
    context = multiprocessing.get_context("fork")
    stop, out = context.Event(), context.Queue()
    sampler = context.Process(target=_sample_health, args=(url, stop, out))
    sampler.start()
    time.sleep(0.5)  # a few samples before the load
    times, got = asyncio.run(_downloads(url, ballot, clients))
    stop.set()
    health = out.get(timeout=60)
    sampler.join()
    return times, health, got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", default=str(ROOT.parent / "shared" / "data" / "pabulib" / "Poland_Lodz_2022.pb"))
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    with temp_database("gb_bench_exports") as env:
        greenballot(env, "db", "upgrade")
        start = time.perf_counter()
        ballot = int(greenballot(env, "ballot", "import", args.file).split()[-1])
        imported = time.perf_counter()
        greenballot(env, "ballot", "tally", str(ballot))
        tallied = time.perf_counter()
        greenballot(env, "ballot", "publish", str(ballot))
        published = time.perf_counter()
        print(f"{Path(args.file).name}: import {imported - start:.1f} s, tally {tallied - imported:.1f} s, "
              f"publish (signs and stores the exports) {published - tallied:.1f} s")
        with served(env) as (url, pid):
            before = cpu_seconds(pid)
            wall = time.perf_counter()
            times, health, got = _under_load(url, ballot, args.clients)
            wall = time.perf_counter() - wall
            cpu = cpu_seconds(pid) - before
        size = sum(len(content) for content in got.values())
        print(f"{args.clients} clients x {len(FILES)} files ({size / 1e6:.1f} MB a set) in {wall:.2f} s; "
              f"server CPU {cpu:.2f} s; per client set p50 {percentile(times, .5):.2f} s, max {max(times):.2f} s")
        p50, p99 = percentile(health, .5) * 1000, percentile(health, .99) * 1000
        print(f"/health during the downloads: {len(health)} samples, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
              f"max {max(health) * 1000:.1f} ms (target p99 < 100 ms: {'MET' if p99 < 100 else 'NOT MET'})")
        with tempfile.TemporaryDirectory() as folder:
            greenballot(env, "export", str(ballot), "--output", folder)
            written = {path.name: path.read_bytes() for path in Path(folder).iterdir()}
            same = sorted(name for name in FILES if written.get(name) == got[name])
            print(f"byte-identical to greenballot export: {len(same)}/{len(FILES)} files")
            print(greenballot(env, "verify", folder).strip())
        print("(measured on a machine shared with other engineers' work: figures are indicative)")


if __name__ == "__main__":
    main()
