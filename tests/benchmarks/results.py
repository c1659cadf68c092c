"""Benchmark of results on the largest shared Pabulib file: import into the ballot box, tally from the database,
signed export — with the offline tally of the same file (parse + tally, no database) as the yardstick.

    .venv/bin/python tests/benchmarks/results.py [--file PATH.pb] [--server URL] [--repeat 3]

Creates its own database on ``--server`` (default: TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/test,
else an embedded PostgreSQL), migrates it, runs each step and prints a table; the database is dropped at the end.
Target: tallying from the database within 2 times the offline tally.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

__all__ = ["main"]


def largest_shared_file() -> Path:
    folder = Path(os.environ.get("GREENBALLOT_PABULIB_DIR") or ROOT / ".." / "shared" / "data" / "pabulib")
    return max(folder.glob("*.pb"), key=lambda path: path.stat().st_size)


async def _server_url(requested: str | None) -> str:
    import asyncpg

    from voting.database import asyncpg_url, embedded_database_url

    for candidate in [requested, os.environ.get("TEST_DATABASE_URL"), "postgresql://postgres@127.0.0.1:5432/test"]:
        if not candidate:
            continue
        try:
            conn = await asyncpg.connect(candidate.replace("+asyncpg", ""), timeout=3)
            await conn.close()
            return asyncpg_url(candidate)
        except (OSError, asyncpg.PostgresError):
            continue
    return embedded_database_url(Path(tempfile.mkdtemp(prefix="greenballot-bench-pg-")))


def _offline(text: str, rule: str, tie_break: str) -> tuple[float, float, list[str]]:
    from voting.tally import parse_pabulib, tally

    start = time.perf_counter()
    election = parse_pabulib(text).election()
    parsed = time.perf_counter()
    result = tally(election, rule, tie_break)
    return parsed - start, time.perf_counter() - parsed, sorted(result.selected)


async def _run(args: argparse.Namespace) -> None:
    import asyncpg

    from voting.database import make_engine, make_session_maker
    from voting.migrate import upgrade
    from voting.results.document import build_election, run_tally
    from voting.results.importer import import_pabulib
    from voting.results.service import (
        CLI_PRINCIPAL,
        ballot_contents,
        ballot_input,
        ballot_projects,
        export_files,
        tally_ballot,
    )

    path = Path(args.file) if args.file else largest_shared_file()
    text = path.read_text(encoding="utf-8-sig")
    server = await _server_url(args.server)
    name = f"gb_bench_results_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server.replace("+asyncpg", ""))
    await admin.execute(f'CREATE DATABASE "{name}"')
    head, _, query = server.partition("?")
    url = f"{head.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    try:
        await asyncio.to_thread(upgrade, url)
        engine = make_engine(url)
        sessions = make_session_maker(engine)
        rows: list[tuple[str, float, str]] = []

        start = time.perf_counter()
        async with sessions() as session:
            ballot = await import_pabulib(session, text)
            await session.commit()
        rows.append(("import into the ballot box", time.perf_counter() - start, f"{ballot.id=}"))
        info = ballot_input(ballot)

        offline_parse, offline_tally = [], []
        for _ in range(args.repeat):
            parse_s, tally_s, offline_selected = _offline(text, info.rule, info.tie_break)
            offline_parse.append(parse_s)
            offline_tally.append(tally_s)
        yardstick = statistics.median(offline_parse) + statistics.median(offline_tally)

        db_times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            async with sessions() as session:
                projects = await ballot_projects(session, ballot.id or 0)
                contents = await ballot_contents(session, ballot.id or 0)
                election = build_election(info, projects, contents)
                result = run_tally(info, election)
            db_times.append(time.perf_counter() - start)
        async with sessions() as session:
            from sqlmodel import select

            from ballots.models import BallotProposal

            labels = dict((await session.exec(select(BallotProposal.proposal_id, BallotProposal.label).where(
                BallotProposal.ballot_id == ballot.id))).all())
        same = sorted(labels[int(pid)] for pid in result.selected) == offline_selected

        start = time.perf_counter()
        async with sessions() as session:
            await tally_ballot(session, CLI_PRINCIPAL, ballot.id or 0)
            await session.commit()
        rows.append(("tally_ballot (tally + store + audit)", time.perf_counter() - start, ""))
        start = time.perf_counter()
        async with sessions() as session:
            files = await export_files(session, CLI_PRINCIPAL, ballot.id or 0)
        rows.append(("signed export (all files)", time.perf_counter() - start,
                     f"{sum(len(v) for v in files.values()) / 1e6:.1f} MB"))
        await engine.dispose()

        db = statistics.median(db_times)
        print(f"\nfile: {path.name} ({path.stat().st_size / 1e6:.1f} MB, {election.voters} votes, "
              f"{len(election.projects)} projects, {election.vote_type}, rule {info.rule})")
        print(f"{'step':44} {'seconds':>9}  note")
        print(f"{'offline parse (median)':44} {statistics.median(offline_parse):9.3f}")
        print(f"{'offline tally (median)':44} {statistics.median(offline_tally):9.3f}")
        print(f"{'offline parse + tally = yardstick':44} {yardstick:9.3f}")
        for label, seconds, note in rows:
            print(f"{label:44} {seconds:9.3f}  {note}")
        print(f"{'tally from the database (median)':44} {db:9.3f}  same selection as offline: {same}")
        ratio = db / yardstick
        print(f"\ntally from the database / offline tally = {ratio:.2f} (target <= 2): "
              f"{'MET' if ratio <= 2 else 'NOT MET'}")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file")
    parser.add_argument("--server")
    parser.add_argument("--repeat", type=int, default=3)
    args: Any = parser.parse_args()
    asyncio.run(_run(args))


if __name__ == "__main__":
    main()
