"""Migration 0025: a draft may lack category, neighbourhood and cost; a submitted proposal may not; down and up."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from tests.conftest import create_database, drop_database, in_thread, libpq_url


async def _insert_draft(url: str, status: str = "draft") -> None:
    c = await asyncpg.connect(url)
    try:
        account = uuid.uuid4()
        await c.execute("INSERT INTO account (id, email, display_name, password_hash, is_active) "
                        "VALUES ($1, $2, 'P', 'x', true)", account, f"{account}@example.org")
        await c.execute("INSERT INTO proposal (title, summary, proposer_id, status) "
                        "VALUES ('Only a title', '', $1, $2)", account, status)
    finally:
        await c.close()


async def _drafts(url: str) -> int:
    c = await asyncpg.connect(url)
    try:
        return int(await c.fetchval("SELECT count(*) FROM proposal WHERE category IS NULL"))
    finally:
        await c.close()


def test_a_draft_with_only_a_title_and_the_migration_down_and_up(pg_server_url):
    from alembic import command

    from voting.migrate import alembic_config, upgrade

    database = create_database(pg_server_url, "gb_drafts")
    url = libpq_url(database)
    try:
        in_thread(asyncio.run, _insert_draft(url))
        assert in_thread(asyncio.run, _drafts(url)) == 1
        with pytest.raises(asyncpg.CheckViolationError):
            in_thread(asyncio.run, _insert_draft(url, "submitted"))
        in_thread(command.downgrade, alembic_config(url), "0025-1")
        assert in_thread(asyncio.run, _drafts(url)) == 0  # the older schema cannot hold it
        with pytest.raises(asyncpg.NotNullViolationError):
            in_thread(asyncio.run, _insert_draft(url))
        in_thread(upgrade, url)
        in_thread(asyncio.run, _insert_draft(url))
    finally:
        drop_database(pg_server_url, database)
