"""accounts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("account", sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("account", sa.Column("sessions_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column("account", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    # Accounts the city already checked in person keep working; everyone else confirms their address once.
    op.execute("UPDATE account SET email_confirmed_at = verified_at WHERE verified_at IS NOT NULL")
    op.create_table(
        "account_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("purpose IN ('confirm_email', 'reset_password')", name="account_token_purpose"),
        sa.CheckConstraint("expires_at > created_at", name="account_token_expiry"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_account_token_account_id", "account_token", ["account_id"])
    op.create_table(
        "throttle",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_allowed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("failures >= 0", name="throttle_failures"),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("throttle_last_failure", "throttle", ["last_failure_at"])
    # Replaced by ``throttle`` (counted atomically, per account and client); the audit log keeps every failure.
    op.drop_index("login_failure_client_at", table_name="login_failure")
    op.drop_index("login_failure_email_at", table_name="login_failure")
    op.drop_table("login_failure")


def downgrade() -> None:
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("login_failure_client_at", "login_failure", ["client", "at"], unique=False)
    op.create_index("login_failure_email_at", "login_failure", ["email", "at"], unique=False)
    op.drop_index("throttle_last_failure", table_name="throttle")
    op.drop_table("throttle")
    op.drop_index("ix_account_token_account_id", table_name="account_token")
    op.drop_table("account_token")
    op.drop_column("account", "deleted_at")
    op.drop_column("account", "sessions_since")
    op.drop_column("account", "email_confirmed_at")
