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
        (["UPDATE audit_entry SET seq = 100 WHERE seq = 6", "UPDATE audit_entry SET seq = 6 WHERE seq = 7",
          "UPDATE audit_entry SET seq = 7 WHERE seq = 100"], 6),
        (["INSERT INTO audit_entry (seq, at, actor, action, subject, data, prev_hash, hash) "
          "SELECT 100, at, actor, action, subject, data, prev_hash, md5(hash) || md5(hash) FROM audit_entry "
          "WHERE seq = 8", "UPDATE audit_entry SET seq = seq + 1000 WHERE seq >= 3 AND seq < 100",
          "UPDATE audit_entry SET seq = seq - 999 WHERE seq >= 1000",
          "UPDATE audit_entry SET seq = 3 WHERE seq = 100"], 3),
    ],
    ids=["edit-data", "edit-time", "delete", "reorder", "insert"],
)
async def test_verify_names_the_first_tampered_entry(audited_database, statements, bad_seq):
    await tamper(audited_database, *statements)
    done = cli(audited_database, "audit", "verify")
    assert done.returncode == 1
    assert f"broken at sequence number {bad_seq}:" in done.stderr
    assert "Traceback" not in done.stderr
