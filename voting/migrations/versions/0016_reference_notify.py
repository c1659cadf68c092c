"""reference notify: a change to neighbourhoods, categories or city settings notifies greenballot_reference

Every writer (admin services, imports, the demo, a manual fix in psql) notifies at commit, so each worker's
reference cache (voting.reference) is cleared; a rolled-back change notifies nobody.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("neighbourhood", "category", "setting")


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION greenballot_reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('greenballot_reference', TG_TABLE_NAME);
            RETURN NULL;
        END $$
    """)
    for table in TABLES:
        op.execute(f"CREATE TRIGGER {table}_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION greenballot_reference_changed()")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_reference_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS greenballot_reference_changed()")
