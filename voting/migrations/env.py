"""Alembic environment: runs migrations over asyncpg with greenballot's metadata."""

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from voting.database import asyncpg_url
from voting.migrate import MIGRATION_LOCK
from voting.schema import metadata

config = context.config
target_metadata = metadata


def _run(connection):  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        # One migrator at a time: instances started together wait here, then read the version table afresh.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        context.run_migrations()


async def _run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        await connection.run_sync(_run)
        return
    engine = create_async_engine(asyncpg_url(config.get_main_option("sqlalchemy.url") or ""))
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
