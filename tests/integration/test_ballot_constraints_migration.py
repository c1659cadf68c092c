"""Migration 0023: the ballot's constraints column goes down and up again; the database refuses a non-object."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.conftest import create_database, drop_database, in_thread, libpq_url


async def _column(url: str) -> bool:
    c = await asyncpg.connect(url)
    try:
        return bool(await c.fetchval("SELECT count(*) FROM information_schema.columns WHERE table_name = 'ballot' "
                                     "AND column_name = 'constraints'"))
    finally:
        await c.close()


async def _store_array(url: str) -> None:
    c = await asyncpg.connect(url)
    try:
        await c.execute("INSERT INTO ballot (title, budget, status, opens_at, closes_at, constraints) VALUES ('B', 10, "
                        "'draft', now(), now() + interval '1 day', '[1]'::jsonb)")
    finally:
        await c.close()


def test_constraints_column_down_and_up(pg_server_url):
    from alembic import command

    from voting.migrate import alembic_config, upgrade

    database = create_database(pg_server_url, "gb_constraints")
    url = libpq_url(database)
    try:
        assert in_thread(asyncio.run, _column(url))
        in_thread(command.downgrade, alembic_config(url), "0023-1")
        assert not in_thread(asyncio.run, _column(url))
        in_thread(upgrade, url)
        assert in_thread(asyncio.run, _column(url))
        with pytest.raises(asyncpg.CheckViolationError):
            in_thread(asyncio.run, _store_array(url))
    finally:
        drop_database(pg_server_url, database)
