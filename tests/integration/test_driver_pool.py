"""The driver pool's acquire timeout (GREENBALLOT_DB_POOL_TIMEOUT) on a real PostgreSQL: a free connection is taken
at once, and a request that finds none waits at most the timeout, then fails instead of hanging."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from tests.conftest import libpq_url
from voting.database import DriverPool

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
        async with pool.acquire(timeout=pool.acquire_timeout) as again:  # free: taken without a timer
            assert await again.fetchval("SELECT 2") == 2
        async with pool.acquire(timeout=pool.acquire_timeout) as held:  # and the timeout still bounds a wait
            waiting = asyncio.ensure_future(pool.acquire(timeout=pool.acquire_timeout).__aenter__())
            await asyncio.sleep(0.05)
            assert not waiting.done()
            await held.fetchval("SELECT 3")
        assert await (await waiting).fetchval("SELECT 4") == 4  # given the connection once it was released
        await pool.pool.release(waiting.result())
    finally:
        await pool.close()
