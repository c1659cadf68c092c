"""Reference data (neighbourhoods, categories, city settings) cached per process, cleared by PostgreSQL NOTIFY.

Every change to their tables notifies ``greenballot_reference`` (statement triggers, migration 0016): PostgreSQL
delivers the notification at commit, never for a rolled-back change. Each ``serve`` worker runs
``reference_listener`` in its lifespan; while it listens, cached values live until a notification clears them.
A process that does not listen (commands, tests) does not cache: it reads the database each time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

__all__ = ["CHANNEL", "ReferenceCache", "reference", "detached", "listen", "listened", "reference_listener"]

CHANNEL = "greenballot_reference"
T = TypeVar("T")
log = logging.getLogger("greenballot.reference")


class ReferenceCache:
    """Values by key, kept only while this process listens for changes (so never stale by more than a commit)."""

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}
        self.listening = False
        self.cleared = 0

    async def get_or_load(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        if not self.listening:
            return await load()
        if key in self._values:
            return self._values[key]  # type: ignore[no-any-return]
        generation = self.cleared
        value = await load()
        if self.listening and generation == self.cleared:  # no change announced while it was read
            self._values[key] = value
        return value

    def clear(self, *_: Any) -> None:
        self._values.clear()
        self.cleared += 1


reference = ReferenceCache()

listened: dict[str, Any] = {CHANNEL: reference}
"""Every per-process cache the listener keeps, by channel: each has ``listening`` and ``clear(*notification)``
(called with no argument when the listener (re)connects or stops). Caches of higher layers add themselves."""


def detached(session: AsyncSession, rows: list[T]) -> list[T]:
    """Rows taken out of the session that loaded them, so another request may read them after it ends."""
    for row in rows:
        session.expunge(row)
    return rows


async def listen(url: str, cache: ReferenceCache | None = None, retry_seconds: float = 1.0,
                 channels: dict[str, Any] | None = None) -> None:
    """Listen on ``CHANNEL`` (or on each of ``channels``) until cancelled, reconnecting after a failure (the
    caches are off meanwhile, and cleared on each connection: notifications missed while away are not replayed)."""
    import asyncpg

    caches = channels if channels is not None else {CHANNEL: cache if cache is not None else reference}

    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    while True:
        connection = None
        try:
            connection = await asyncpg.connect(dsn)
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _, ended=lost: ended.set())
            for channel, each in caches.items():
                await connection.add_listener(channel, each.clear)
            for each in caches.values():
                each.clear()
                each.listening = True
            while not lost.is_set() and not connection.is_closed():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), timeout=5)
                    break
                await connection.fetchval("SELECT 1", timeout=5)  # a silent network loss shows up here
        except Exception as error:  # noqa: BLE001 - whatever the cause, the caches are off until it listens again
            log.warning("reference cache: cannot listen for changes (%s); reading the database meanwhile", error)
        finally:
            for each in caches.values():
                each.listening = False
                each.clear()
            if connection is not None and not connection.is_closed():
                with contextlib.suppress(Exception):
                    await asyncio.shield(connection.close(timeout=2))
        await asyncio.sleep(retry_seconds)


@asynccontextmanager
async def reference_listener(app: Any) -> AsyncGenerator[None, None]:
    """Lifespan: the listener task of this worker, on ``GREENBALLOT_LISTEN_URL`` or else the app's database.

    Behind PgBouncer in transaction mode (``GREENBALLOT_PGBOUNCER=1``) LISTEN hears nothing: without a direct
    ``GREENBALLOT_LISTEN_URL`` the caches stay off (every read goes to the database) rather than go stale."""
    import os

    from voting.database import pool_options

    url = os.environ.get("GREENBALLOT_LISTEN_URL", "").strip()
    if not url and pool_options().pgbouncer:
        log.warning("caches off: GREENBALLOT_PGBOUNCER=1 and no GREENBALLOT_LISTEN_URL (a direct connection) to "
                    "listen for changes on")
        yield
        return
    if not url:
        url = app.state.session_maker.kw["bind"].url.render_as_string(hide_password=False)
    task = asyncio.create_task(listen(url, channels=dict(listened)))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
