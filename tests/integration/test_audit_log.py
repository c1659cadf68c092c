"""The audit log on PostgreSQL: the trigger refuses changes; `greenballot audit verify` finds raw-SQL tampering."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid

import asyncpg
import pytest

from tests.conftest import _admin, create_database, drop_database, in_thread, libpq_url, with_database

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def pristine_database(pg_server_url, tmp_path_factory):
    """A committed database whose audit log was written by the CLI (the demo city: dozens of entries)."""
    url = create_database(pg_server_url, "gb_audit")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": libpq_url(url),
           "GREENBALLOT_DATA_DIR": str(tmp_path_factory.mktemp("audit"))}
    done = cli(env, "demo", "--seed-only")
    assert done.returncode == 0, done.stderr
    yield url, env
    drop_database(pg_server_url, url)


@pytest.fixture
def audited_database(pg_server_url, pristine_database):
    """A fresh copy of the pristine database for one test to tamper with."""
    source, env = pristine_database
    name = f"gb_audit_copy_{uuid.uuid4().hex[:8]}"
    source_name = source.partition("?")[0].rsplit("/", 1)[1]
    in_thread(asyncio.run, _admin(pg_server_url, f'CREATE DATABASE "{name}" TEMPLATE "{source_name}"'))
    url = with_database(pg_server_url, name)
    yield {**env, "DATABASE_URL": libpq_url(url)}
    drop_database(pg_server_url, url)


def cli(env, *args, stdin=None):
    return subprocess.run([sys.executable, "-m", "voting.cli", *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)


async def tamper(env, *statements):
    """What a superuser could do: disable the trigger, change rows, enable it again."""
    conn = await asyncpg.connect(env["DATABASE_URL"])
    try:
        async with conn.transaction():
            await conn.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER")
            for statement in statements:
                await conn.execute(statement)
            await conn.execute("ALTER TABLE audit_entry ENABLE TRIGGER USER")
    finally:
        await conn.close()


async def test_trigger_refuses_update_delete_truncate(audited_database):
    conn = await asyncpg.connect(audited_database["DATABASE_URL"])
    try:
        for statement in ("UPDATE audit_entry SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_entry WHERE seq = 1",
                          "TRUNCATE audit_entry"):
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await conn.execute(statement)
    finally:
        await conn.close()


async def test_verify_passes_on_an_intact_log(audited_database):
    done = cli(audited_database, "audit", "verify")
    assert done.returncode == 0, done.stderr
    assert "intact" in done.stdout
    assert int(done.stdout.split(": ")[1].split()[0]) > 30


@pytest.mark.parametrize(
    ("statements", "bad_seq"),
    [
        (["UPDATE audit_entry SET data = '{\"email\": \"mallory@example.org\"}' WHERE seq = 5"], 5),
        (["UPDATE audit_entry SET at = at + interval '1 second' WHERE seq = 2"], 2),
        (["DELETE FROM audit_entry WHERE seq = 4"], 4),
        # Sequence numbers from 1,000,000 up are scratch space, beyond any demo log however long it grows.
        (["UPDATE audit_entry SET seq = 1000000 WHERE seq = 6", "UPDATE audit_entry SET seq = 6 WHERE seq = 7",
          "UPDATE audit_entry SET seq = 7 WHERE seq = 1000000"], 6),
        (["INSERT INTO audit_entry (seq, at, actor, action, subject, data, prev_hash, hash) "
          "SELECT 1000000, at, actor, action, subject, data, prev_hash, md5(hash) || md5(hash) FROM audit_entry "
          "WHERE seq = 8", "UPDATE audit_entry SET seq = seq + 2000000 WHERE seq >= 3 AND seq < 1000000",
          "UPDATE audit_entry SET seq = seq - 1999999 WHERE seq >= 2000000",
          "UPDATE audit_entry SET seq = 3 WHERE seq = 1000000"], 3),
    ],
    ids=["edit-data", "edit-time", "delete", "reorder", "insert"],
)
async def test_verify_names_the_first_tampered_entry(audited_database, statements, bad_seq):
    await tamper(audited_database, *statements)
    done = cli(audited_database, "audit", "verify")
    assert done.returncode == 1
    assert f"broken at sequence number {bad_seq}:" in done.stderr
    assert "Traceback" not in done.stderr


async def rewrite_history_from(env, seq):
    """A superuser rewrites entry ``seq`` and recomputes every later hash, so the chain alone looks intact."""
    from dataclasses import replace

    from voting.audit.chain import ChainEntry, entry_hash

    conn = await asyncpg.connect(env["DATABASE_URL"])
    try:
        async with conn.transaction():
            await conn.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER")
            await conn.execute("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER")
            await conn.execute("DELETE FROM audit_checkpoint")
            rows = await conn.fetch("SELECT * FROM audit_entry WHERE seq >= $1 ORDER BY seq", seq - 1)
            prev = rows[0]["hash"]
            for row in rows[1:]:
                import json

                data = json.loads(row["data"])
                if row["seq"] == seq:
                    data = {**data, "rewritten": True}
                entry = ChainEntry(row["seq"], row["at"], row["actor"], row["action"], row["subject"], data, prev)
                entry = replace(entry, hash=entry_hash(entry))
                await conn.execute("UPDATE audit_entry SET data = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
                                   json.dumps(data), prev, entry.hash, row["seq"])
                prev = entry.hash
            await conn.execute("ALTER TABLE audit_entry ENABLE TRIGGER USER")
            await conn.execute("ALTER TABLE audit_checkpoint ENABLE TRIGGER USER")
    finally:
        await conn.close()


async def test_a_saved_checkpoint_detects_rewritten_history(audited_database, tmp_path):
    saved = tmp_path / "checkpoint.json"
    made = cli(audited_database, "audit", "checkpoint", "--output", str(saved))
    assert made.returncode == 0, made.stderr
    assert cli(audited_database, "audit", "verify", "--since", str(saved)).returncode == 0
    await rewrite_history_from(audited_database, 3)
    alone = cli(audited_database, "audit", "verify")
    assert alone.returncode == 0, "a consistent rewrite with its checkpoints deleted fools the chain alone"
    caught = cli(audited_database, "audit", "verify", "--since", str(saved))
    assert caught.returncode == 1
    assert "history was rewritten" in caught.stderr


async def test_stored_checkpoints_are_checked(audited_database, tmp_path):
    assert cli(audited_database, "audit", "checkpoint").returncode == 0
    await tamper(audited_database, "UPDATE audit_entry SET hash = hash WHERE seq = 1")  # no-op keeps the chain
    conn = await asyncpg.connect(audited_database["DATABASE_URL"])
    try:
        await conn.execute("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER")
        await conn.execute("UPDATE audit_checkpoint SET head_hash = repeat('0', 64)")
        await conn.execute("ALTER TABLE audit_checkpoint ENABLE TRIGGER USER")
    finally:
        await conn.close()
    done = cli(audited_database, "audit", "verify")
    assert done.returncode == 1 and "bad signature" in done.stderr


async def test_checkpoints_every_n_entries(db_session, monkeypatch):
    from sqlmodel import select

    from voting.audit import service
    from voting.models import AuditCheckpoint

    monkeypatch.setattr(service, "CHECKPOINT_EVERY", 3)
    for index in range(7):
        entry = await service.record(db_session, actor="test", action="thing.done", subject=f"thing:{index}")
    checkpoints = (await db_session.exec(select(AuditCheckpoint.seq))).all()
    assert [seq for seq in checkpoints if seq % 3 == 0] and all(seq % 3 == 0 for seq in checkpoints)
    assert entry.seq not in checkpoints or entry.seq % 3 == 0
    assert await service.verify_checkpoints(db_session) == []
