"""The driver pool's acquire timeout (GREENBALLOT_DB_POOL_TIMEOUT) on a real PostgreSQL: a free connection is taken
at once, and a request that finds none waits at most the timeout, then fails instead of hanging."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from tests.conftest import libpq_url
from voting.database import DriverPool, _sound

pytestmark = pytest.mark.anyio


async def test_a_wait_for_a_connection_is_bounded_and_a_free_one_is_taken_at_once(database_url: str) -> None:
    pool = DriverPool(await asyncpg.create_pool(libpq_url(database_url), min_size=0, max_size=1), 0.3)
    try:
        async with pool.acquire(timeout=pool.acquire_timeout) as first:  # none open yet: it is opened
            assert await first.fetchval("SELECT 1") == 1
            began = time.monotonic()
            with pytest.raises(asyncio.TimeoutError):  # the only connection is taken: the wait ends
                await asyncio.wait_for(pool.acquire(timeout=pool.acquire_timeout).__aenter__(), 3)
            assert 0.25 < time.monotonic() - began < 2  # by the pool's timeout, not this test's 3 s
        assert pool.pool.get_idle_size() == 1
        free = pool.acquire(timeout=pool.acquire_timeout)
        assert free.timeout is None  # free: taken without a timer
        async with free as again:
            assert await again.fetchval("SELECT 2") == 2
        async with pool.acquire(timeout=pool.acquire_timeout) as held:  # and the timeout still bounds a wait
            wait = pool.acquire(timeout=pool.acquire_timeout)
            assert wait.timeout == 0.3
            waiting = asyncio.ensure_future(wait.__aenter__())
            await asyncio.sleep(0.05)
            assert not waiting.done()
            await held.fetchval("SELECT 3")
        assert await (await waiting).fetchval("SELECT 4") == 4  # given the connection once it was released
        await pool.pool.release(waiting.result())
    finally:
        await pool.close()


async def test_spare_connections_are_reused_settled_after_a_failure_and_given_back_at_close(database_url: str) -> None:
    pool = DriverPool(await asyncpg.create_pool(libpq_url(database_url), min_size=0, max_size=2), 1.0)
    try:
        first, acquired = await pool.take()
        backend = await first.fetchval("SELECT pg_backend_pid()")
        await pool.give(first, acquired)
        assert len(pool.spare) == 1 and pool.pool.get_idle_size() == 0  # kept checked out, not released
        again, acquired = await pool.take()
        assert await again.fetchval("SELECT pg_backend_pid()") == backend and not pool.spare
        await pool.give(again, acquired, failed=True)  # after a failure: back to asyncpg's pool, which settles it
        assert not pool.spare and pool.pool.get_idle_size() == 1
        third, acquired = await pool.take()
        await third.execute("BEGIN")  # left in a transaction: never kept
        await pool.give(third, acquired)
        assert not pool.spare
        fourth, acquired = await pool.take()
        assert not fourth.is_in_transaction()  # the pool rolled it back
        await pool.give(fourth, acquired)
        assert len(pool.spare) == 1
        async with asyncpg.create_pool(libpq_url(database_url), min_size=1, max_size=1) as admin:
            await admin.execute("SELECT pg_terminate_backend($1)", await pool.spare[0][0].fetchval(
                "SELECT pg_backend_pid()"))
        for _ in range(50):  # the client notices the closed socket (its pool then takes it back)
            if not _sound(pool.spare[0][0]):
                break
            await asyncio.sleep(0.02)
        assert not _sound(pool.spare[0][0])
        fresh, acquired = await pool.take()  # a dead spare is dropped, a sound connection taken instead
        assert await fresh.fetchval("SELECT 5") == 5 and not pool.spare
        await pool.give(fresh, acquired)
    finally:
        await asyncio.wait_for(pool.close(), 10)  # spares are given back first: closing does not hang
    assert not pool.spare


async def test_a_connection_given_back_goes_to_whoever_waits_for_one(database_url: str) -> None:
    """With every connection out, a taker waits on asyncpg's pool: the next one given back cleanly goes to it, not
    to the spares (it would wait there until its timeout)."""
    pool = DriverPool(await asyncpg.create_pool(libpq_url(database_url), min_size=0, max_size=1), 5.0)
    try:
        first, acquired = await pool.take()
        waiter = asyncio.ensure_future(pool.take())
        await asyncio.sleep(0.1)
        assert not waiter.done() and pool.waiting == 1
        await pool.give(first, acquired)
        second, acquired = await asyncio.wait_for(waiter, 2)
        assert not pool.spare and await second.fetchval("SELECT 6") == 6
        await pool.give(second, acquired)
        assert len(pool.spare) == 1 and pool.waiting == 0
    finally:
        await asyncio.wait_for(pool.close(), 10)
