"""Behind a real PgBouncer in transaction mode: votes, retries, pages, the close and the tally, with no error.

PgBouncer (Debian's ``pgbouncer``; CI installs it and sets ``GREENBALLOT_REQUIRE_PGBOUNCER=1``) runs with a pool of
two server connections, so the concurrent votes' transactions take turns on connections other transactions
used: a prepared statement kept across transactions (``GREENBALLOT_PGBOUNCER=1`` promises there is none) would
fail with "prepared statement ... does not exist" or "already exists". The server listens for changes on a direct
connection (``GREENBALLOT_LISTEN_URL``), so its caches still hear a close made through PgBouncer.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ballots.receipts import receipt_hash
from tests.ballot_factories import seed_committed_ballot
from tests.conftest import TEST_KEY_SECRET, count_rows, libpq_url
from tests.web.conftest import free_port

pytestmark = pytest.mark.anyio

DATABASE_PREFIX = "gb_bouncer"


def _pgbouncer() -> str:
    found = shutil.which("pgbouncer") or next((p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
                                               if os.access(p, os.X_OK)), None)
    if found is None:
        if os.environ.get("GREENBALLOT_REQUIRE_PGBOUNCER") == "1":
            pytest.fail("pgbouncer is not installed (apt-get install pgbouncer)")
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    return found


def _bouncer_config(url: str, folder: Path, port: int) -> tuple[Path, str | None]:
    """PgBouncer's configuration for the server of ``url``, and the user it must run as (None: as we are)."""
    parts = urlsplit(libpq_url(url))
    socket_dir = parse_qs(parts.query).get("host", [None])[0]
    host = socket_dir or parts.hostname or "127.0.0.1"
    user = parts.username or "postgres"
    run_as = None
    if os.geteuid() == 0:  # PgBouncer refuses to run as root; it must still reach a unix socket's folder
        run_as = pwd.getpwuid(Path(socket_dir).stat().st_uid).pw_name if socket_dir else "nobody"
    config = folder / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"* = host={host} port={parts.port or 5432} user={user}"
        + (f" password={parts.password}" if parts.password else "") + "\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = any\npool_mode = transaction\ndefault_pool_size = 2\nmin_pool_size = 0\nreserve_pool_size = 0\n"
        "max_client_conn = 200\nignore_startup_parameters = extra_float_digits,statement_timeout,options\n")
    config.chmod(0o644)
    return config, run_as


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer:\n{log.read_text()[-3000:]}")


async def _tokens(url: str, accounts: list[uuid.UUID]) -> list[str]:
    """Each account's token, signed with the served instance's current key (what logging in would return)."""
    from auth.keys import load_ring
    from auth.tokens import issue_token
    from voting.config import load_settings
    from voting.database import make_engine, make_session_maker

    settings = load_settings({})  # the issuer and audience a server started with no such setting uses
    engine = make_engine(url, pool_size=1)
    async with make_session_maker(engine)() as session:
        ring = await load_ring(session, TEST_KEY_SECRET)
    await engine.dispose()
    return [issue_token(ring, account, issuer=settings.issuer, audience=settings.audience, ttl=timedelta(hours=1))[0]
            for account in accounts]


async def test_votes_pages_close_and_tally_through_pgbouncer_in_transaction_mode(committed_url, tmp_path):
    binary = _pgbouncer()
    ballot_id, ids, moderator, voters = await seed_committed_ballot(committed_url, 40)
    bouncer_port, port = free_port(), free_port()
    config, run_as = _bouncer_config(committed_url, tmp_path, bouncer_port)
    name = committed_url.partition("?")[0].rsplit("/", 1)[1]
    bouncer_log, server_log = tmp_path / "pgbouncer.log", tmp_path / "serve.log"
    bouncer = _start([binary, *(["-u", run_as] if run_as else []), str(config)], dict(os.environ), bouncer_log)
    env = {**os.environ, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{bouncer_port}/{name}",
           "GREENBALLOT_PGBOUNCER": "1", "GREENBALLOT_LISTEN_URL": libpq_url(committed_url),
           "GREENBALLOT_DATA_DIR": str(tmp_path / "data"), "GREENBALLOT_KEY_SECRET": TEST_KEY_SECRET}
    server = _start([sys.executable, "-m", "voting.cli", "serve", "--no-migrate", "--port", str(port)], env, server_log)
    try:
        base = f"http://127.0.0.1:{port}"
        await asyncio.to_thread(_wait, f"{base}/health", server, server_log)
        tokens = await _tokens(committed_url, [voter.id for voter in voters] + [moderator.id])
        bearer = [{"Authorization": f"Bearer {token}"} for token in tokens]
        votes = f"{base}/api/v1/ballots/{ballot_id}/votes"
        async with httpx.AsyncClient(timeout=60) as http:
            keys = [uuid.uuid4().hex for _ in voters]
            answers = await asyncio.gather(*(
                http.post(votes, json={"projects": [ids[n % 2]]}, headers={**bearer[n], "Idempotency-Key": keys[n]})
                for n in range(len(voters))))
            assert [a.status_code for a in answers] == [201] * len(voters), [a.text for a in answers if a.is_error]
            retried = await http.post(votes, json={"projects": [ids[0]]},
                                      headers={**bearer[0], "Idempotency-Key": keys[0]})
            assert retried.status_code == 201 and retried.json()["receipt"] == answers[0].json()["receipt"]
            assert retried.json()["replayed"] is True
            changed = await http.post(votes, json={"projects": [ids[1]]},
                                      headers={**bearer[0], "Idempotency-Key": uuid.uuid4().hex})
            assert changed.status_code == 201 and changed.json()["replaced_previous"] is True
            for page in ("/", "/proposals/", f"/ballots/{ballot_id}", "/api/v1/proposals", "/map"):
                assert (await http.get(f"{base}{page}")).status_code == 200, page
            closed = await http.post(f"{base}/api/v1/ballots/{ballot_id}/transitions/closed", headers=bearer[-1])
            assert closed.status_code == 200, closed.text
            late = await http.post(votes, json={"projects": [ids[0]]}, headers=bearer[1])  # the cache heard it
            assert late.status_code == 409, late.text
            for stage in ("tallied", "published"):
                moved = await http.post(f"{base}/api/v1/ballots/{ballot_id}/transitions/{stage}", headers=bearer[-1])
                assert moved.status_code == 200, moved.text
            board = (await http.get(f"{base}/api/v1/ballots/{ballot_id}/bulletin")).json()
        counted = [changed.json()["receipt"]] + [answer.json()["receipt"] for answer in answers[1:]]
        assert {row["receipt_hash"] for row in board["board"]} == {receipt_hash(code) for code in counted}
        for table in ("participation", "vote"):
            count = f"SELECT count(*) FROM {table} WHERE ballot_id = {ballot_id}"  # noqa: S608 - constants
            assert await count_rows(committed_url, count) == len(voters), table
        assert "prepared statement" not in server_log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
        bouncer.terminate()
        bouncer.wait(timeout=30)
