"""Principals cached per process: a change committed anywhere (roles, scopes, the account, a revoked token, a
signing key) reaches every listening process by NOTIFY and forgets exactly what it names."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import anyio
import asyncpg
import pytest

from auth.principal import Principal
from auth.principal_cache import CHANNEL, PrincipalCache
from tests.ballot_factories import seed_committed_ballot
from tests.conftest import bearer_for, libpq_url, served_app
from voting.reference import listen

pytestmark = pytest.mark.anyio


async def _until(condition, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    with anyio.fail_after(seconds):
        while not condition():  # noqa: ASYNC110 - set by the listener task
            await anyio.sleep(0.02)


@contextlib.asynccontextmanager
async def _listening(url: str, cache: PrincipalCache) -> AsyncIterator[None]:
    task = asyncio.create_task(listen(url, retry_seconds=0.05, channels={CHANNEL: cache}))
    try:
        await _until(lambda: cache.listening)
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_committed_changes_forget_the_principals_they_name_and_no_other(database_url):
    cache = PrincipalCache()
    other = await asyncpg.connect(libpq_url(database_url))
    ids = [uuid.uuid4(), uuid.uuid4()]
    for n, account in enumerate(ids):
        await other.execute("INSERT INTO account (id, email, display_name, password_hash, is_active) "
                            "VALUES ($1, $2, 'P', 'x', true)", account, f"cache-{n}-{account.hex[:6]}@example.org")
    loads: list[uuid.UUID] = []

    async def load(account: uuid.UUID) -> tuple[Principal | None, float | None]:
        loads.append(account)
        roles = {row[0] for row in await other.fetch("SELECT role FROM role_grant WHERE account_id = $1", account)}
        revoked = await other.fetchval("SELECT count(*) FROM revoked_token WHERE jti = $1", f"jti-{account}")
        return (None if revoked else Principal(account, "e", "P", frozenset(roles))), None

    def key(account: uuid.UUID) -> tuple[uuid.UUID, str, str, float]:
        return (account, f"jti-{account}", "kid", 0.0)

    async def get(account: uuid.UUID) -> Principal | None:
        return await cache.get_or_load(key(account), lambda: load(account))

    try:
        await get(ids[0])
        await get(ids[0])
        assert len(loads) == 2  # not listening yet: read each time
        async with _listening(database_url, cache):
            first, second = await get(ids[0]), await get(ids[1])
            assert await get(ids[0]) is first and await get(ids[1]) is second and len(loads) == 4

            cleared = cache.cleared
            await other.execute("INSERT INTO role_grant (account_id, role) VALUES ($1, 'moderator')", ids[0])
            await _until(lambda: cache.cleared > cleared)
            changed = await get(ids[0])
            assert changed is not None and "moderator" in changed.roles
            assert await get(ids[1]) is second and len(loads) == 5  # the other account stays cached

            cleared = cache.cleared
            await other.execute("INSERT INTO revoked_token (jti, expires_at) VALUES ($1, $2)", f"jti-{ids[1]}",
                                datetime.now(UTC) + timedelta(hours=1))
            await _until(lambda: cache.cleared > cleared)
            assert await get(ids[1]) is None  # a revoked token is forgotten at once
            assert await get(ids[0]) is changed

            cleared = cache.cleared
            await other.execute("UPDATE role_grant SET account_id = $2 WHERE account_id = $1 AND role = 'moderator'",
                                ids[0], ids[1])  # a grant moved: both accounts are named
            await _until(lambda: cache.cleared >= cleared + 2)
            before = len(loads)
            moved_from, moved_to = await get(ids[0]), await get(ids[1])
            assert len(loads) == before + 2
            assert moved_from is not None and "moderator" not in moved_from.roles
            assert moved_to is None  # still revoked, but read again
            changed = moved_from

            cleared = cache.cleared
            await other.execute("UPDATE account SET is_active = is_active WHERE id = $1", ids[0])
            await _until(lambda: cache.cleared > cleared)
            before = len(loads)
            await get(ids[0])
            assert len(loads) == before + 1

            cleared = cache.cleared
            await other.execute("UPDATE signing_key SET purpose = purpose WHERE false")  # keys: forget everything
            await _until(lambda: cache.cleared > cleared)
            before = len(loads)
            await get(ids[0])
            assert len(loads) == before + 1
        assert not cache.listening
        before = len(loads)
        await get(ids[0])
        assert len(loads) == before + 1  # stopped listening: no cache
    finally:
        await other.execute("DELETE FROM revoked_token WHERE jti = ANY($1::text[])", [f"jti-{i}" for i in ids])
        await other.execute("DELETE FROM role_grant WHERE account_id = ANY($1::uuid[])", ids)
        await other.execute("DELETE FROM account WHERE id = ANY($1::uuid[])", ids)
        await other.close()


async def test_a_principal_loaded_while_a_change_is_announced_is_not_kept(database_url):
    cache = PrincipalCache()
    cache.listening = True  # as if listening; the "notification" arrives in the middle of the read

    async def load() -> tuple[Principal | None, float | None]:
        cache.clear(None, 0, CHANNEL, "*")
        return Principal(uuid.uuid4(), "e", "P", frozenset()), None

    key = (uuid.uuid4(), "j", "k", 0.0)
    first = await cache.get_or_load(key, load)
    assert await cache.get_or_load(key, load) is not first  # read again: the first was not kept


async def test_a_principal_is_not_kept_past_its_key_or_its_token(database_url):
    cache = PrincipalCache()
    cache.listening = True
    ended = datetime.now(UTC) - timedelta(seconds=1)
    loads: list[int] = []

    async def key_ended() -> tuple[Principal | None, float | None]:
        loads.append(1)
        return Principal(uuid.uuid4(), "e", "P", frozenset()), ended.timestamp()

    async def token_ended() -> tuple[Principal | None, float | None]:
        loads.append(1)
        return Principal(uuid.uuid4(), "e", "P", frozenset(), token_expires_at=ended), None

    for load in (key_ended, token_ended):
        key = (uuid.uuid4(), "j", "k", 0.0)
        await cache.get_or_load(key, load)
        await cache.get_or_load(key, load)
    assert len(loads) == 4


async def test_a_logout_on_one_instance_is_refused_by_another_that_had_the_principal_cached(
        pg_server_url, tmp_path):
    from tests.conftest import create_database, drop_database

    url = create_database(pg_server_url, "gb_principal")
    try:
        _ballot, _ids, _moderator, voters = await seed_committed_ballot(url, 1)
        async with served_app(url, tmp_path / "a") as (first, one), served_app(url, tmp_path / "b") as (_second, two):
            from auth.principal_cache import principals

            await _until(lambda: principals.listening)
            bearer = bearer_for(first, voters[0])
            assert (await one.get("/api/v1/auth/me", headers=bearer)).status_code == 200
            assert (await one.get("/api/v1/auth/me", headers=bearer)).status_code == 200  # cached now
            assert (await two.post("/api/v1/auth/logout", headers=bearer)).status_code in (200, 204)

            async def refused() -> bool:
                return (await one.get("/api/v1/auth/me", headers=bearer)).status_code == 401

            with anyio.fail_after(10):
                while not await refused():  # noqa: ASYNC110 - polls another instance
                    await anyio.sleep(0.05)
    finally:
        drop_database(pg_server_url, url)
