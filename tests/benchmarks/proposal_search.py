"""Benchmark of proposal browsing: the public list with filters, French/English full-text search, the review queue.

    .venv/bin/python tests/benchmarks/proposal_search.py [--proposals 50000] [--server URL] [--repeat 30]

Creates its own database on ``--server`` (default: TEST_DATABASE_URL, else an embedded PostgreSQL), migrates it,
loads synthetic proposals with COPY, times each query through the services and prints median and p95 in
milliseconds; the database is dropped at the end. Target: every page query under 50 ms at 50,000 proposals.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

__all__ = ["main"]

WORDS_FR = ["pommiers", "jardin", "partagé", "arbres", "fruitiers", "rue", "piétonne", "école", "composteurs",
            "mare", "haie", "verger", "cerisiers", "toiture", "végétalisée", "fontaine", "ruchers", "serre"]
WORDS_EN = ["garden", "trees", "street", "pedestrian", "school", "compost", "pond", "hedge", "orchard", "roof",
            "fountain", "beehives", "greenhouse", "shade", "bench", "rainwater"]
STATES = ["submitted", "accepted", "accepted", "accepted", "rejected", "changes_requested", "withdrawn", "draft"]


def filler(rng: random.Random) -> str:
    """A made-up word: real text has thousands of words, and each query word is in a small share of it."""
    return "".join(rng.choice("bcdfglmnprstv") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))


def sentence(rng: random.Random, words: int) -> str:
    """About one word in twelve is a real greening word, the others are filler."""
    return " ".join(rng.choice(WORDS_FR + WORDS_EN) if rng.random() < 0.08 else filler(rng) for _ in range(words))


async def seed(url: str, count: int) -> None:
    import asyncpg

    rng = random.Random(7)
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        hoods = [await connection.fetchval("INSERT INTO neighbourhood (slug, name_fr, name_en) VALUES ($1, $1, $1) "
                                           "RETURNING id", f"hood-{n}") for n in range(10)]
        owner = uuid.uuid4()
        await connection.execute("INSERT INTO account (id, email, display_name, password_hash, is_active) "
                                 "VALUES ($1, 'bench@bench.test', 'Bench', 'x', true)", owner)
        now = datetime.now(UTC)
        categories = ["garden", "fruit-trees", "urban-reconfiguration", "other"]
        records = []
        for n in range(count):
            state = rng.choice(STATES)
            records.append((f"{sentence(rng, 4)} {n}", sentence(rng, 12), sentence(rng, 80), rng.choice(categories),
                            rng.choice(hoods), rng.randint(1000, 90000), owner, state,
                            now - timedelta(minutes=n) if state != "draft" else None))
        await connection.copy_records_to_table(
            "proposal", columns=["title", "summary", "description", "category", "neighbourhood_id",
                                 "estimated_cost", "proposer_id", "status", "submitted_at"], records=records)
        await connection.execute("ANALYZE proposal")
    finally:
        await connection.close()


async def measure(url: str, repeat: int) -> list[tuple[str, float, float, int]]:
    from auth.principal import Principal
    from voting.database import make_engine, make_session_maker
    from voting.proposals.queries import list_proposals, review_queue

    engine = make_engine(url, pool_size=2)
    maker = make_session_maker(engine)
    moderator = Principal(id=uuid.uuid4(), email="m@bench.test", display_name="M", roles=frozenset({"moderator"}),
                          neighbourhoods=frozenset({1, 2}))
    cases: list[tuple[str, Any]] = [
        ("list, page 1", lambda s: list_proposals(s)),
        ("list, page 50", lambda s: list_proposals(s, page=50)),
        ("list, neighbourhood + category + status", lambda s: list_proposals(
            s, neighbourhood_id=3, category="garden", status="accepted")),
        ("search French 'arbre fruitier'", lambda s: list_proposals(s, q="arbre fruitier")),
        ("search English 'orchards shade'", lambda s: list_proposals(s, q="orchards shade")),
        ("search websearch '\"jardin partagé\" -école'", lambda s: list_proposals(s, q='"jardin partagé" -école')),
        ("review queue (2 neighbourhoods)", lambda s: review_queue(s, moderator)),
    ]
    results = []
    for label, query in cases:
        timings = []
        for _ in range(repeat):
            async with maker() as session:
                began = time.perf_counter()
                found = await query(session)
                timings.append((time.perf_counter() - began) * 1000)
        size = found.total if hasattr(found, "total") else len(found)
        timings.sort()
        results.append((label, statistics.median(timings), timings[int(len(timings) * 0.95) - 1], size))
    await engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=50_000)
    parser.add_argument("--server", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    from tests.conftest import _admin, with_database
    from voting.database import asyncpg_url, embedded_database_url
    from voting.migrate import upgrade

    server = asyncpg_url(args.server) if args.server else embedded_database_url(Path(tempfile.mkdtemp()))
    name = f"gb_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    url = with_database(server, name)
    try:
        upgrade(url)
        began = time.perf_counter()
        asyncio.run(seed(url, args.proposals))
        print(f"seeded {args.proposals} proposals in {time.perf_counter() - began:.1f} s")
        print(f"{'query':48} {'median ms':>10} {'p95 ms':>8} {'rows':>7}")
        for label, median, p95, size in asyncio.run(measure(url, args.repeat)):
            print(f"{label:48} {median:10.1f} {p95:8.1f} {size:7}")
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
