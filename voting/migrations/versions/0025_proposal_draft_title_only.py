"""proposal drafts need only a title: category, neighbourhood and estimated cost may wait (NULL) while a draft

A CHECK keeps them required for every proposal that has left the draft (a draft withdrawn before it was complete
may stay incomplete). Downgrading deletes such incomplete drafts: the older schema cannot hold them.

Revision ID: 0025
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0002"  # the proposals' branch (another branch from 0001)

COLUMNS = ("category", "neighbourhood_id", "estimated_cost")
COMPLETE = "category IS NOT NULL AND neighbourhood_id IS NOT NULL AND estimated_cost IS NOT NULL"


def upgrade() -> None:
    for column in COLUMNS:
        op.alter_column("proposal", column, nullable=True)
    op.create_check_constraint("proposal_complete_unless_draft", "proposal",
                               f"status IN ('draft', 'withdrawn') OR ({COMPLETE})")


def downgrade() -> None:
    op.drop_constraint("proposal_complete_unless_draft", "proposal", type_="check")
    op.execute("DELETE FROM proposal WHERE category IS NULL OR neighbourhood_id IS NULL OR estimated_cost IS NULL")
    for column in COLUMNS:
        op.alter_column("proposal", column, nullable=False)
