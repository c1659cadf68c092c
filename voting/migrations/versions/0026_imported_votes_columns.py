"""imported votes keep their file's columns: an imported Pabulib election's VOTES section (voter ids, age, sex,
voting method...) stored as written, for its export (never for online votes)

Revision ID: 0026
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ballot_source_votes",
        sa.Column("ballot_id", sa.Integer(), sa.ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ballot_source_votes")
