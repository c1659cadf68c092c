"""election fidelity: an imported election's own META and project fields, exact budgets, thresholds, currency,
and imported votes as their own participation channel

Revision ID: 0021
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ballot", sa.Column("source_meta", sa.Text(), nullable=True))
    op.add_column("ballot", sa.Column("budget_exact", sa.String(length=32), nullable=True))
    op.add_column("ballot", sa.Column("currency", sa.String(length=3), nullable=True))
    op.add_column("ballot", sa.Column("min_project_score", sa.BigInteger(), nullable=True))
    op.add_column("ballot", sa.Column("min_voter_share", sa.Integer(), nullable=True))
    op.create_check_constraint("ballot_min_project_score", "ballot",
                               "min_project_score IS NULL OR min_project_score >= 0")
    op.create_check_constraint("ballot_min_voter_share", "ballot",
                               "min_voter_share IS NULL OR min_voter_share BETWEEN 0 AND 100")
    op.create_check_constraint("ballot_currency", "ballot", "currency IS NULL OR currency ~ '^[A-Z]{3}$'")
    op.add_column("ballot_proposal", sa.Column("source_fields", sa.Text(), nullable=True))
    op.drop_constraint("participation_channel", "participation", type_="check")
    op.create_check_constraint("participation_channel", "participation",
                               "channel IN ('online', 'paper', 'imported')")


def downgrade() -> None:
    op.execute("UPDATE participation SET channel = 'paper' WHERE channel = 'imported'")
    op.drop_constraint("participation_channel", "participation", type_="check")
    op.create_check_constraint("participation_channel", "participation", "channel IN ('online', 'paper')")
    op.drop_column("ballot_proposal", "source_fields")
    for name in ("ballot_currency", "ballot_min_voter_share", "ballot_min_project_score"):
        op.drop_constraint(name, "ballot", type_="check")
    for column in ("min_voter_share", "min_project_score", "currency", "budget_exact", "source_meta"):
        op.drop_column("ballot", column)
