"""participation calendar and support windows

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "process_phase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=True),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("phase IN ('proposals', 'supports', 'review', 'vote', 'results')",
                           name="process_phase_phase"),
        sa.CheckConstraint("starts_at < ends_at", name="process_phase_window"),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    # One row per (scope, phase); NULL (the city) is read as 0, which no neighbourhood id can be.
    op.create_index("process_phase_scope", "process_phase",
                    [sa.literal_column("coalesce(neighbourhood_id, 0)"), "phase"], unique=True)


def downgrade() -> None:
    op.drop_index("process_phase_scope", table_name="process_phase")
    op.drop_table("process_phase")
