"""Migration 0026: the table of an imported election's VOTES rows goes down and up again."""

from __future__ import annotations

import asyncio

import asyncpg

from tests.conftest import create_database, drop_database, in_thread, libpq_url


async def _table(url: str) -> bool:
    c = await asyncpg.connect(url)
    try:
        return bool(await c.fetchval("SELECT to_regclass('ballot_source_votes') IS NOT NULL"))
    finally:
        await c.close()


def test_source_votes_table_down_and_up(pg_server_url):
    from alembic import command

    from voting.migrate import alembic_config, upgrade

    database = create_database(pg_server_url, "gb_source_votes")
    url = libpq_url(database)
    try:
        assert in_thread(asyncio.run, _table(url))
        in_thread(command.downgrade, alembic_config(url), "0026-1")
        assert not in_thread(asyncio.run, _table(url))
        in_thread(upgrade, url)
        assert in_thread(asyncio.run, _table(url))
    finally:
        drop_database(pg_server_url, database)
