"""Apply Alembic migrations programmatically (``greenballot db upgrade``, ``serve``, ``demo``)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["alembic_config", "upgrade", "MIGRATION_LOCK", "at_head"]

MIGRATION_LOCK = 0x67620A
"""Advisory lock held while migrating (and creating the first keys): instances started together migrate one at
a time; the others wait, then find nothing left to do."""

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database at ``url`` up to ``revision`` (all heads by default)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def at_head(url: str) -> bool:
    """Whether the database at ``url`` has every migration applied (``serve --no-migrate`` checks it)."""
    import asyncio

    from alembic.script import ScriptDirectory
    from sqlalchemy.ext.asyncio import create_async_engine

    from voting.database import asyncpg_url

    script = ScriptDirectory.from_config(alembic_config(url))

    async def current() -> set[str]:
        engine = create_async_engine(asyncpg_url(url))
        try:
            async with engine.connect() as connection:
                exists = (await connection.exec_driver_sql("SELECT to_regclass('alembic_version')")).scalar()
                if exists is None:
                    return set()
                rows = await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                return {row[0] for row in rows}
        finally:
            await engine.dispose()

    applied: set[str] = set()  # what the database's versions contain: they and everything they stand on
    todo = list(asyncio.run(current()))
    while todo:
        revision = script.get_revision(todo.pop())
        if revision is None or revision.revision in applied:
            continue
        applied.add(revision.revision)
        for below in (revision.down_revision, revision.dependencies):
            todo += [below] if isinstance(below, str) else list(below or ())
    return set(script.get_heads()) <= applied
