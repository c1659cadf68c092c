"""home notify: ballot and calendar changes notify greenballot_reference too (the home page's cached lists)

Ballot rows change on lifecycle moves and edits, never per vote; phases when a calendar is set.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("ballot", "process_phase")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"CREATE TRIGGER {table}_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION greenballot_reference_changed()")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_reference_changed ON {table}")
