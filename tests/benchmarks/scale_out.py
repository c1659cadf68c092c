"""Scale-out: 1, 2 and 4 ``greenballot serve`` processes on one PostgreSQL, votes spread over them.

    .venv/bin/python tests/benchmarks/scale_out.py [--voters 2000] [--clients 32] [--instances 1 2 4]

Creates its own database on ``--server`` (default: TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/test),
seeds eligible voters and an open ballot (as ``vote_cast.py`` does), then for each instance count starts that many
separate ``serve`` processes (one worker each, their own ports) and casts one vote per voter from ``--clients``
keep-alive connections spread round-robin over the instances (the balancing a DNS round robin or an L4 balancer
gives; a proxy in Python would itself use a core). Prints votes/s, p50 and p99, errors, the serve processes' CPU per
vote, and how much of the machine PostgreSQL used (its processes' CPU over wall time and cores). Drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.vote_cast import (  # noqa: E402 - after the path is set
    admin,
    choice,
    free_port,
    load,
    quantile,
    seed,
    start,
    tokens_for,
    tree_cpu,
    with_database,
)

__all__ = ["main", "postgres_cpu"]


def postgres_cpu() -> float:
    """CPU seconds used so far by every process named ``postgres`` on this machine (the server and its backends)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                head, _sep, tail = handle.read().rpartition(")")
        except OSError:
            continue
        if head.partition("(")[2].startswith("postgres"):
            fields = tail.split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


async def spread(plans: list[list[tuple[str, dict[str, str], dict[str, Any] | None]]],
                 clients: int) -> tuple[float, list[float], int, dict[int, int]]:
    """Each plan to its own instance, with an equal share of the connections, all at once."""
    began = time.perf_counter()
    parts = await asyncio.gather(*(load(plan, max(1, clients // len(plans)), 0) for plan in plans))
    elapsed = time.perf_counter() - began
    latencies = [value for part in parts for value in part[1]]
    statuses: dict[int, int] = {}
    for part in parts:
        for status, count in part[3].items():
            statuses[status] = statuses.get(status, 0) + count
    return elapsed, latencies, sum(part[2] for part in parts), statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.environ.get("TEST_DATABASE_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--voters", type=int, default=2000, help="votes measured per configuration")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args()
    server = args.server.replace("postgresql+asyncpg://", "postgresql://", 1)
    name = f"gb_scale_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin(server, f'CREATE DATABASE "{name}"'))
    url = with_database(server, name)
    rows = []
    data_dir = Path(tempfile.mkdtemp(prefix="gb-scale-"))
    env = {**os.environ, "DATABASE_URL": url, "GREENBALLOT_DATA_DIR": str(data_dir)}
    os.environ.update({"DATABASE_URL": url, "GREENBALLOT_DATA_DIR": str(data_dir)})
    try:
        from voting.migrate import upgrade

        upgrade(url)
        per_run = args.voters + args.warmup
        ballot, proposals, voters = asyncio.run(seed(url, per_run * len(args.instances)))
        tokens: list[str] = []
        for run, count in enumerate(args.instances):
            processes: list[subprocess.Popen[bytes]] = []
            ports = []
            try:
                for n in range(count):
                    port = free_port()
                    processes.append(start([sys.executable, "-m", "voting.cli", "serve", "--port", str(port),
                                            "--workers", "1"], env, port, data_dir / f"serve-{count}-{n}.log",
                                           "/health"))
                    ports.append(port)
                if not tokens:  # the servers made the signing key: sign every voter's token with it, once
                    tokens = tokens_for(url, voters)
                mine = tokens[run * per_run:(run + 1) * per_run]

                def plan(part: list[str], port: int) -> list[tuple[str, dict[str, str], dict[str, Any] | None]]:
                    return [(f"http://127.0.0.1:{port}/api/v1/ballots/{ballot}/votes",
                             {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
                             {"projects": choice(proposals)}) for token in part]

                warm, measured = mine[:args.warmup], mine[args.warmup:]
                asyncio.run(spread([plan(warm[i::count], port) for i, port in enumerate(ports)], args.clients))
                cpu_before = sum(tree_cpu(process.pid) for process in processes)
                pg_before = postgres_cpu()
                elapsed, latencies, errors, statuses = asyncio.run(
                    spread([plan(measured[i::count], port) for i, port in enumerate(ports)], args.clients))
                pg_share = (postgres_cpu() - pg_before) / elapsed / (os.cpu_count() or 1)
                serve_cpu = (sum(tree_cpu(process.pid) for process in processes) - cpu_before) / len(latencies)
                rows.append((count, len(latencies) / elapsed, quantile(latencies, 0.5), quantile(latencies, 0.99),
                             errors, statuses, serve_cpu, pg_share))
                print(f"{count} instance(s): {rows[-1][1]:.0f} votes/s", flush=True)
            finally:
                for process in processes:
                    process.terminate()
                    process.wait(timeout=20)
    finally:
        asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    load_average = " ".join(open("/proc/loadavg").read().split()[:3])
    print(f"\n{args.voters} measured votes per row, {args.clients} connections, {os.cpu_count()} CPUs, "
          f"load average {load_average}")
    print(f"{'instances':>9}{'votes/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'serve CPU ms/vote':>19}"
          f"{'PostgreSQL CPU':>16}  statuses")
    for count, rate, p50, p99, errors, statuses, serve_cpu, pg_share in rows:
        print(f"{count:>9}{rate:>10.0f}{p50 * 1000:>9.1f}{p99 * 1000:>9.1f}{errors:>8}{serve_cpu * 1000:>19.2f}"
              f"{pg_share:>15.0%}  {statuses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
