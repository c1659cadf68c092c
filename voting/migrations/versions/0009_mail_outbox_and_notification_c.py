"""mail outbox and notification choices

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("account", sa.Column("language", sa.String(length=2), nullable=True))
    op.create_check_constraint("account_language", "account", "language IN ('fr', 'en')")
    op.add_column("account", sa.Column("notify_ballot_opened", sa.Boolean(), nullable=False,
                                       server_default=sa.text("false")))
    op.add_column("account", sa.Column("notify_results", sa.Boolean(), nullable=False,
                                       server_default=sa.text("false")))
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("account_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="mail_outbox_status"),
        sa.CheckConstraint("kind IN ('confirm_email', 'reset_password', 'proposal_reviewed', 'ballot_opened', "
                           "'results_published')", name="mail_outbox_kind"),
        sa.CheckConstraint("language IN ('fr', 'en')", name="mail_outbox_language"),
        sa.CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="mail_outbox_sent_at"),
        sa.CheckConstraint("attempts >= 0", name="mail_outbox_attempts"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("mail_outbox_due", "mail_outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("mail_outbox_due", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_column("account", "notify_results")
    op.drop_column("account", "notify_ballot_opened")
    op.drop_constraint("account_language", "account", type_="check")
    op.drop_column("account", "language")
