"""Benchmark of vote casting over HTTP against the real server, and the ceiling of a bare upsert handler.

    .venv/bin/python tests/benchmarks/vote_cast.py [--voters 4000] [--clients 32] [--workers 2] [--rounds 3]

Creates its own database on the PostgreSQL server named by ``--server`` (default: TEST_DATABASE_URL, else
``postgresql://postgres@127.0.0.1:5432/test``), seeds ``--voters`` verified voters per round (one argon2 hash,
reused) and an open knapsack ballot, starts ``greenballot serve --workers N`` and ``ceiling_app`` below (one asyncpg
upsert into an equivalent table, no authentication) side by side, and mints each voter's token with the server's key.
Each round then measures, with the same load of ``--clients`` concurrent HTTP clients and one request per voter of
its own group: the floor (the voters' ``GET /api/v1/auth/me``, as a vote page's load would), their votes, and the
ceiling. The phases of a round follow each other within seconds, so a drift of the machine's speed (which the
ratio of two phases measured minutes apart would carry) touches both sides of the round's ratio alike.
Prints each round's votes per second, p50 and p99 latency, errors and server CPU per request, every round's verdict,
and the verdict of the median round; then drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

__all__ = ["ceiling_app", "main"]

COSTS = [18_500, 32_000, 46_000, 74_000, 21_000, 9_600, 58_000, 6_400]
BUDGET = 150_000


def ceiling_app() -> Any:
    """A bare Litestar app: one asyncpg upsert per vote into ``bench_vote`` (ballot, slot, content)."""
    import asyncpg
    from litestar import Litestar, Request, post

    state: dict[str, Any] = {}

    async def startup() -> None:
        state["pool"] = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=4, max_size=16)

    async def shutdown() -> None:
        await state["pool"].close()

    @post("/votes/{ballot_id:int}", status_code=201)
    async def vote(request: Request[Any, Any, Any], ballot_id: int) -> dict[str, bool]:
        body = await request.json()
        slot = hashlib.sha256(str(body["voter"]).encode()).digest()
        await state["pool"].execute(
            "INSERT INTO bench_vote (ballot_id, slot, content) VALUES ($1, $2, $3::jsonb) "
            "ON CONFLICT (ballot_id, slot) DO UPDATE SET content = EXCLUDED.content",
            ballot_id, slot, json.dumps({"projects": body["projects"]}))
        return {"ok": True}

    return Litestar(route_handlers=[vote], on_startup=[startup], on_shutdown=[shutdown])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_database(url: str, name: str) -> str:
    head, sep, query = url.partition("?")
    return f"{head.rsplit('/', 1)[0]}/{name}{sep}{query}"


async def admin(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def seed(url: str, voters: int) -> tuple[int, list[int], list[uuid.UUID]]:
    """An open knapsack ballot of one neighbourhood, its proposals, and ``voters`` eligible citizens."""
    import asyncpg

    from auth.passwords import hash_password

    connection = await asyncpg.connect(url)
    try:
        hood = await connection.fetchval("INSERT INTO neighbourhood (slug, name_fr, name_en) VALUES "
                                         "('bench', 'Banc', 'Bench') RETURNING id")
        await connection.execute("INSERT INTO category (slug, name_fr, name_en) VALUES ('garden', 'Jardin', 'Garden') "
                                 "ON CONFLICT DO NOTHING")
        owner = uuid.uuid4()
        password = hash_password("bench-password-2026")
        born = date(1980, 1, 1)
        now = datetime.now(UTC)
        ids = [owner] + [uuid.uuid4() for _ in range(voters)]
        await connection.copy_records_to_table(
            "account", columns=["id", "email", "display_name", "password_hash", "is_active", "birth_date",
                                "neighbourhood_id", "verified_at", "verified_how", "email_confirmed_at"],
            records=[(i, f"voter-{n}@bench.test", f"Voter {n}", password, True, born, hood, now, "bench", now)
                     for n, i in enumerate(ids)])
        await connection.copy_records_to_table("role_grant", columns=["account_id", "role"],
                                               records=[(i, "citizen") for i in ids])
        ballot = await connection.fetchval(
            "INSERT INTO ballot (neighbourhood_id, title, budget, status, opens_at, closes_at, created_by) "
            "VALUES ($1, 'Bench', $2, 'open', $3, $4, $5) RETURNING id",
            hood, BUDGET, now - timedelta(hours=1), now + timedelta(days=1), owner)
        proposals = []
        for n, cost in enumerate(COSTS):
            pid = await connection.fetchval(
                "INSERT INTO proposal (title, summary, category, neighbourhood_id, estimated_cost, validated_cost, "
                "proposer_id, status) VALUES ($1, 's', 'garden', $2, $3, $3, $4, 'accepted') RETURNING id",
                f"Project {n}", hood, cost, owner)
            await connection.execute("INSERT INTO ballot_proposal (ballot_id, proposal_id, cost, position) "
                                     "VALUES ($1, $2, $3, $4)", ballot, pid, cost, n)
            proposals.append(pid)
        await connection.execute("CREATE TABLE bench_vote (ballot_id int NOT NULL, slot bytea NOT NULL, "
                                 "content jsonb NOT NULL, PRIMARY KEY (ballot_id, slot))")
    finally:
        await connection.close()
    return ballot, proposals, ids[1:]


def tokens_for(url: str, accounts: list[uuid.UUID]) -> list[str]:
    """Sign each voter's token with the server's current key (what logging in would return, without argon2)."""
    from auth.keys import load_ring
    from auth.tokens import issue_token
    from voting.config import load_settings
    from voting.database import make_engine, make_session_maker

    settings = load_settings()

    async def work() -> list[str]:
        engine = make_engine(url, pool_size=1)
        async with make_session_maker(engine)() as session:
            ring = await load_ring(session, settings.key_secret)
        await engine.dispose()
        return [issue_token(ring, account, issuer=settings.issuer, audience=settings.audience,
                            ttl=timedelta(hours=2))[0] for account in accounts]

    return asyncio.run(work())


def choice(proposals: list[int]) -> list[int]:
    """A random set of projects within the budget."""
    picked, spent = [], 0
    for index in random.sample(range(len(proposals)), len(proposals)):
        if spent + COSTS[index] <= BUDGET and random.random() < 0.6:
            picked.append(proposals[index])
            spent += COSTS[index]
    return picked or [proposals[-1]]


def start(command: list[str], env: dict[str, str], port: int, log: Path, probe: str) -> subprocess.Popen[bytes]:
    import httpx

    process = subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()}")
        try:
            httpx.request("GET", f"http://127.0.0.1:{port}{probe}", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"server did not start:\n{log.read_text()}")


class Connection:
    """A minimal HTTP/1.1 keep-alive client: httpx would spend more CPU than the servers it measures."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, headers: dict[str, str], body: bytes | None) -> int:
        """POST ``body``, or GET when it is None; returns the status once the whole answer is read."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"{'GET' if body is None else 'POST'} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 *(f"{k}: {v}" for k, v in headers.items())]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(requests: list[tuple[str, dict[str, str], dict[str, Any] | None]], clients: int,
               warmup: int) -> tuple[float, list[float], int, dict[int, int]]:
    """Send ``requests`` from ``clients`` concurrent connections; the first ``warmup`` are not measured."""
    from urllib.parse import urlsplit

    queue: asyncio.Queue[tuple[str, dict[str, str], dict[str, Any] | None]] = asyncio.Queue()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    target = urlsplit(requests[0][0])
    connections = [Connection(target.hostname or "127.0.0.1", target.port or 80) for _ in range(clients)]

    async def worker(connection: Connection, measure: bool) -> None:
        while not queue.empty():
            url, headers, body = queue.get_nowait()
            began = time.perf_counter()
            try:
                payload = None if body is None else json.dumps(body).encode()
                status = await connection.post(urlsplit(url).path, headers, payload)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                status = 0
                connection.close()
                connection.writer = None
            if measure:
                latencies.append(time.perf_counter() - began)
                statuses[status] = statuses.get(status, 0) + 1

    for item in requests[:warmup]:
        queue.put_nowait(item)
    await asyncio.gather(*(worker(connection, False) for connection in connections))
    for item in requests[warmup:]:
        queue.put_nowait(item)
    began = time.perf_counter()
    await asyncio.gather(*(worker(connection, True) for connection in connections))
    elapsed = time.perf_counter() - began
    for connection in connections:
        connection.close()
    errors = sum(count for status, count in statuses.items() if status not in (200, 201))
    return elapsed, latencies, errors, statuses


def tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) used so far by process ``pid`` and every process below it (Linux /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    wanted, todo = set(), [pid]
    while todo:
        current = todo.pop()
        wanted.add(current)
        todo += [child for child, parent in parents.items() if parent == current and child not in wanted]
    return sum(times.get(each, 0.0) for each in wanted)


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1] if len(values) > 1 else 0.0


def measured(pid: int, requests: list[tuple[str, dict[str, str], dict[str, Any] | None]],
             args: argparse.Namespace) -> tuple[float, list[float], int, dict[int, int], float]:
    """The load's figures, and the server's CPU seconds per measured request (warm-up included in neither)."""
    warm = requests[:args.warmup]
    if warm:
        asyncio.run(load(warm, args.clients, len(warm)))
    before = tree_cpu(pid)
    elapsed, latencies, errors, statuses = asyncio.run(load(requests[args.warmup:], args.clients, 0))
    return elapsed, latencies, errors, statuses, (tree_cpu(pid) - before) / max(1, len(latencies))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.environ.get("TEST_DATABASE_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--voters", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of floor, votes and ceiling, side by side")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.epilog = ("The floor row is the same server answering GET /api/v1/auth/me with the same tokens: what "
                     "identity and the framework cost before any vote is handled.")
    args = parser.parse_args()
    server = args.server.replace("postgresql+asyncpg://", "postgresql://", 1)
    name = f"gb_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin(server, f'CREATE DATABASE "{name}"'))
    url = with_database(server, name)
    rounds: list[dict[str, tuple[float, float, float, int, dict[int, int], float]]] = []
    processes: list[subprocess.Popen[bytes]] = []
    try:
        from voting.migrate import upgrade

        upgrade(url)
        began = time.perf_counter()
        ballot, proposals, voters = asyncio.run(seed(url, args.voters * args.rounds))
        print(f"seeded {len(voters)} voters and ballot {ballot} in {time.perf_counter() - began:.1f}s", flush=True)
        asyncio.run(admin(url, "VACUUM ANALYZE"))  # statistics as a running city's database has them, and the
        with contextlib.suppress(Exception):  # seeding's writes flushed: no autovacuum or checkpoint it set off
            asyncio.run(admin(url, "CHECKPOINT"))  # lands inside a round (needs a superuser: else skipped)
        data_dir = Path(tempfile.mkdtemp(prefix="gb-bench-"))
        env = {**os.environ, "DATABASE_URL": url, "GREENBALLOT_DATA_DIR": str(data_dir)}
        os.environ.update({"DATABASE_URL": url, "GREENBALLOT_DATA_DIR": str(data_dir)})
        port = free_port()
        processes.append(start([sys.executable, "-m", "voting.cli", "serve", "--port", str(port), "--workers",
                                str(args.workers)], env, port, data_dir / "server.log", "/health"))
        port_ceiling = free_port()
        processes.append(start([sys.executable, "-m", "uvicorn", "tests.benchmarks.vote_cast:ceiling_app", "--factory",
                                "--port", str(port_ceiling), "--workers", str(args.workers), "--log-level", "warning"],
                               {**env, "PYTHONPATH": str(ROOT)}, port_ceiling, data_dir / "ceiling.log", "/"))
        tokens = tokens_for(url, voters)
        base = f"http://127.0.0.1:{port}/api/v1/ballots/{ballot}/votes"
        ceiling_url = f"http://127.0.0.1:{port_ceiling}/votes/{ballot}"
        for number in range(args.rounds):  # the three phases side by side, so that a drift of the machine's
            group = slice(number * args.voters, (number + 1) * args.voters)  # speed touches each round alike
            floor: list[tuple[str, dict[str, str], dict[str, Any] | None]] = [
                (f"http://127.0.0.1:{port}/api/v1/auth/me", {"Authorization": f"Bearer {token}"}, None)
                for token in tokens[group]]
            plan: list[tuple[str, dict[str, str], dict[str, Any] | None]] = [
                (base, {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
                 {"projects": choice(proposals)}) for token in tokens[group]]
            bare: list[tuple[str, dict[str, str], dict[str, Any] | None]] = [
                (ceiling_url, {}, {"voter": str(voter), "projects": choice(proposals)}) for voter in voters[group]]
            row = {}
            for label, pid, requests in (("floor", processes[0].pid, floor), ("vote", processes[0].pid, plan),
                                         ("ceiling", processes[1].pid, bare)):
                elapsed, latencies, errors, statuses, cpu = measured(pid, requests, args)
                row[label] = (len(latencies) / elapsed, quantile(latencies, 0.5), quantile(latencies, 0.99), errors,
                              statuses, cpu)
            rounds.append(row)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
        if not args.keep:
            asyncio.run(admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return report(rounds, args)


def report(rounds: list[dict[str, tuple[float, float, float, int, dict[int, int], float]]],
           args: argparse.Namespace) -> int:
    """One table per round, then the verdict on the median round (by the vote's share of the ceiling)."""
    labels = {"vote": "greenballot POST /votes", "floor": "floor: GET /auth/me", "ceiling": "ceiling: bare upsert"}
    print(f"\n{args.voters - args.warmup} measured requests per phase and round, {args.rounds} rounds (each: floor, "
          f"votes, ceiling), {args.clients} concurrent clients, {args.workers} server workers, {os.cpu_count()} CPUs")
    shares = []
    for number, row in enumerate(rounds, 1):
        print(f"\nround {number}")
        print(f"{'target':<26}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'CPU ms':>9}  statuses")
        for key in ("vote", "floor", "ceiling"):
            rate, p50, p99, errors, statuses, cpu = row[key]
            print(f"{labels[key]:<26}{rate:>10.0f}{p50 * 1000:>10.1f}{p99 * 1000:>10.1f}{errors:>8}{cpu * 1000:>9.2f}"
                  f"  {statuses}")
        share = row["vote"][0] / row["ceiling"][0] if row["ceiling"][0] else 0.0
        met = share >= 0.5 and row["vote"][2] < 0.1 and row["vote"][3] == 0
        print(f"round {number}: the vote at {share:.0%} of the ceiling, p99 {row['vote'][2] * 1000:.1f} ms, "
              f"{row['vote'][3]} errors: {'MET' if met else 'NOT MET'}; a vote's server CPU is "
              f"{row['vote'][5] / row['ceiling'][5] if row['ceiling'][5] else 0:.2f}x the upsert's")
        shares.append((share, number, met))
    if not shares:
        return 1
    share, number, met = sorted(shares)[len(shares) // 2]
    print(f"\nthe median round ({number}): greenballot reaches {share:.0%} of the ceiling with p99 "
          f"{rounds[number - 1]['vote'][2] * 1000:.1f} ms (target: at least 50%, p99 under 100 ms, no error): "
          f"{'MET' if met else 'NOT MET'}; rounds that meet it: {sum(m for _, _, m in shares)} of {len(shares)}; "
          f"load average {open('/proc/loadavg').read().split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
