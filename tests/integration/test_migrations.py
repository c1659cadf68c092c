"""Migrations and models agree, and the schema enforces workflow states with CHECK constraints."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from voting.schema import metadata

pytestmark = pytest.mark.anyio


async def test_migrated_database_matches_the_models(db_connection):
    def diff(sync_connection):
        context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    assert await db_connection.run_sync(diff) == []


@pytest.mark.parametrize(("table", "column"), [("ballot", "status"), ("proposal", "status"), ("role_grant", "role")])
async def test_states_are_checked_text_columns(db_connection, table, column):
    checks = (await db_connection.execute(text(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND contype = 'c'"
    ), {"t": table})).scalars().all()
    assert any(column in check for check in checks)
    with pytest.raises(IntegrityError):
        async with db_connection.begin_nested():
            await db_connection.execute(text(f"UPDATE {table} SET {column} = 'bogus'"))
            await db_connection.execute(text(f"INSERT INTO {table} ({column}) VALUES ('bogus')"))
