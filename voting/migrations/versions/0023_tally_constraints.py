"""tally constraints: a ballot's incompatible projects, quotas, caps and sub-budgets (JSON)

Revision ID: 0023
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0023"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ballot", sa.Column("constraints", postgresql.JSONB(), nullable=True))
    op.create_check_constraint("ballot_constraints", "ballot",
                               "constraints IS NULL OR jsonb_typeof(constraints) = 'object'")


def downgrade() -> None:
    op.drop_constraint("ballot_constraints", "ballot", type_="check")
    op.drop_column("ballot", "constraints")
