"""Reads from a streaming replica: its lag (cached a moment), and the primary whenever the replica cannot answer."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

__all__ = ["LAG_SQL", "STALE_AFTER_SECONDS", "Replica", "observed_lag", "open_replica", "replica_first",
           "stale_seconds"]

T = TypeVar("T")
logger = logging.getLogger("greenballot.replica")

LAG_SQL = ("SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), "
           "extract(epoch FROM now() - pg_last_xact_replay_timestamp())")
"""Whether the replica has replayed all it received, and the age of the last transaction it replayed (NULL on a
primary)."""
LAG_CACHE_SECONDS = 1.0  # the lag is read at most once a second per process
STALE_AFTER_SECONDS = 3.0  # a page read from a replica further behind says how old its data is
RETRY_SECONDS = 5.0  # after a failure, the primary answers the reads for this long before the replica is tried again
READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction: a write attempted on a hot standby


def observed_lag(caught_up: bool | None, age: Any, behind_since: float | None,
                 now: float) -> tuple[float | None, float | None]:
    """The replica's lag from one reading, and since when it has been seen behind (pure).

    The age of the last replayed transaction is how old the data is only while the replica is behind; a primary
    idle for minutes then written to makes it large for the moment replay takes, so it counts only once a second
    reading finds the replica still behind."""
    if age is None:
        return None, None  # a primary, or nothing replayed yet
    if caught_up is not False:
        return 0.0, None
    if behind_since is None:
        return 0.0, now
    return float(age), behind_since


def stale_seconds(lag: float | None) -> int | None:
    """How old a replica's data is worth telling (whole seconds), or None when it is fresh enough (pure)."""
    if lag is None or math.isnan(lag) or lag <= STALE_AFTER_SECONDS:
        return None
    return int(lag)


@dataclass
class Replica:
    """The replica's sessions (autocommit, marked ``info["replica"]``), the primary's read sessions to fall back on,
    and the last lag read."""

    engine: AsyncEngine
    session_maker: async_sessionmaker[AsyncSession]
    fallback: async_sessionmaker[AsyncSession]
    lag: float | None = None
    behind_since: float | None = None
    checked_at: float = -math.inf
    down_until: float = -math.inf

    async def session(self) -> tuple[AsyncSession, float | None]:
        """A session on the replica and its lag in seconds, or one on the primary (lag None) when the replica
        cannot be reached: a warning is logged and the primary answers reads for a few seconds."""
        now = time.monotonic()
        if now >= self.down_until:
            session = self.session_maker()
            try:
                connection = await session.connection()
                if now - self.checked_at >= LAG_CACHE_SECONDS:
                    row: Any = (await connection.exec_driver_sql(LAG_SQL)).one()
                    self.lag, self.behind_since = observed_lag(row[0], row[1], self.behind_since, now)
                    self.checked_at = now
                return session, self.lag
            except (OSError, TimeoutError, SQLAlchemyError) as error:
                await session.close()
                self.down_until = now + RETRY_SECONDS
                logger.warning("the read replica cannot be reached (%s): reading from the primary for %g s",
                               error.__class__.__name__, RETRY_SECONDS)
        return self.fallback(), None

    async def close(self) -> None:
        await self.engine.dispose()


def open_replica(url: str, fallback: async_sessionmaker[AsyncSession]) -> Replica:
    """An engine on ``DATABASE_REPLICA_URL`` (the process's pool settings, a short connect timeout, a ping on
    checkout so a restarted replica never fails a page) whose sessions read in autocommit."""
    from voting.database import make_engine, make_session_maker, pool_options

    options = pool_options()
    engine = make_engine(url, replace(options, connect_timeout=min(options.connect_timeout, 2.0)),
                         pool_pre_ping=True, max_overflow=0)
    maker = make_session_maker(engine.execution_options(isolation_level="AUTOCOMMIT"), info={"replica": True})
    return Replica(engine, maker, fallback)


def _read_only_refusal(error: DBAPIError) -> bool:
    orig: Any = error.orig
    return READ_ONLY_SQLSTATE in (getattr(orig, "sqlstate", None), getattr(orig, "pgcode", None))


async def replica_first(read_session: AsyncSession, db_session: AsyncSession,
                        work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """``work`` on the replica when the read session is one, again on the primary if it must write (a signed export
    built on its first download); without a replica, on the request's transaction at once."""
    if not read_session.info.get("replica"):
        return await work(db_session)
    try:
        return await work(read_session)
    except DBAPIError as error:
        if not _read_only_refusal(error):
            raise
    return await work(db_session)
