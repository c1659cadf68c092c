"""comments on proposals and funded projects, and residents' reports

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default=sa.text("'visible'"), nullable=False),
        sa.Column("open_reports", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("moderation_reason", sa.Text(), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("subject_kind IN ('proposal', 'funded_project')", name="comment_subject_kind"),
        sa.CheckConstraint("status IN ('visible', 'auto_hidden', 'hidden')", name="comment_status"),
        sa.CheckConstraint("char_length(body) BETWEEN 1 AND 2000", name="comment_body_length"),
        sa.CheckConstraint("open_reports >= 0", name="comment_open_reports"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="comment_not_own_parent"),
        sa.ForeignKeyConstraint(["author_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["parent_id"], ["comment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("comment_subject", "comment", ["subject_kind", "subject_id", "id"])
    op.create_index("comment_parent", "comment", ["parent_id"])
    op.create_table(
        "comment_report",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("account_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("comment_id", "account_id"),
    )


def downgrade() -> None:
    op.drop_table("comment_report")
    op.drop_index("comment_parent", table_name="comment")
    op.drop_index("comment_subject", table_name="comment")
    op.drop_table("comment")
