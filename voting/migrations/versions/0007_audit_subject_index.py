"""audit log: index by subject, for a thing's history

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("audit_entry_subject_seq", "audit_entry", ["subject", "seq"])


def downgrade() -> None:
    op.drop_index("audit_entry_subject_seq", table_name="audit_entry")
