"""What server-side commands share: settings, the resolved database URL, migrations, one async session."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from voting.config import Settings, load_settings

__all__ = ["CLIError", "prepare_database", "run_in_session"]

T = TypeVar("T")


class CLIError(Exception):
    """A problem to print as one line, with the exit code to return."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def prepare_database(settings: Settings | None = None, *, migrate: bool = True,
                     apart: bool = False) -> tuple[Settings, str]:
    """Resolve (and start, when embedded) the database, apply migrations (``apart``: in a child interpreter, so
    that this process never imports Alembic), export DATABASE_URL for workers."""
    from voting.database import DatabaseURLError, resolve_database_url

    settings = settings or load_settings()
    try:
        url = resolve_database_url(settings.database_url, settings.data_dir)
    except DatabaseURLError as error:
        raise CLIError(str(error), 2) from error
    except Exception as error:
        raise CLIError(f"cannot start the embedded PostgreSQL in {settings.data_dir}: {error}") from error
    if migrate:
        from voting.migrate import upgrade
        from voting.migrate_apart import upgrade_apart

        try:
            (upgrade_apart if apart else upgrade)(url)
        except Exception as error:
            raise CLIError(f"cannot migrate the database: {_reason(error)}") from error
    os.environ["DATABASE_URL"] = url
    return settings, url


def _reason(error: BaseException) -> str:
    from voting.migrate_apart import MigrationFailed

    if isinstance(error, MigrationFailed):
        return str(error)  # already the child's one line
    inner = getattr(error, "orig", None) or error.__cause__ or error
    return f"{type(inner).__name__}: {inner}".splitlines()[0]


def run_in_session(url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(session)`` in one transaction that commits on success; a domain refusal (``DomainError``)
    rolls it back and becomes one line and exit code 1."""
    from voting.database import make_engine, make_session_maker
    from voting.domain import DomainError

    async def main() -> T:
        engine = make_engine(url, pool_size=1)
        try:
            async with make_session_maker(engine)() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except CLIError:
        raise
    except DomainError as error:
        raise CLIError(error.message) from error
    except (OSError, ConnectionError) as error:
        raise CLIError(f"cannot reach the database: {error}") from error
