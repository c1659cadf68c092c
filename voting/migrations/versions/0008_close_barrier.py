"""close barrier

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ballot_open_closes_at", "ballot", ["closes_at"], postgresql_where=sa.text("status = 'open'"))


def downgrade() -> None:
    op.drop_index("ballot_open_closes_at", table_name="ballot")
