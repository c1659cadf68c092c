"""accounts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("account", sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True))
    # Accounts the city already checked in person keep working; everyone else confirms their address once.
    op.execute("UPDATE account SET email_confirmed_at = verified_at WHERE verified_at IS NOT NULL")


def downgrade() -> None:
    op.drop_column("account", "email_confirmed_at")
