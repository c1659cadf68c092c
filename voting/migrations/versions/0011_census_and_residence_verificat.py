"""census and residence verification

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "census_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_stored", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("accounts_verified", sa.Integer(), nullable=False),
        sa.Column("accounts_updated", sa.Integer(), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=16), nullable=False),
        sa.Column("rejected", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "census_entry",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("document_hash", sa.String(length=64), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("email IS NOT NULL OR document_hash IS NOT NULL", name="census_entry_has_key"),
        sa.CheckConstraint("email = lower(email)", name="census_entry_email_lower"),
        sa.ForeignKeyConstraint(["import_id"], ["census_import.id"]),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("census_entry_email", "census_entry", ["email"], unique=True,
                    postgresql_where=sa.text("email IS NOT NULL"))
    op.create_index("census_entry_document", "census_entry", ["document_hash"], unique=True,
                    postgresql_where=sa.text("document_hash IS NOT NULL"))
    op.create_table(
        "census_claim",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.UUID(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    op.create_index(op.f("ix_census_claim_account_id"), "census_claim", ["account_id"], unique=False)
    op.create_table(
        "census_pending",
        sa.Column("account_id", sa.UUID(), nullable=False),
        sa.Column("document_hash", sa.String(length=64), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "residence_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.UUID(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("residence_attempt_account_at", "residence_attempt", ["account_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("residence_attempt_account_at", table_name="residence_attempt")
    op.drop_table("residence_attempt")
    op.drop_table("census_pending")
    op.drop_index(op.f("ix_census_claim_account_id"), table_name="census_claim")
    op.drop_table("census_claim")
    op.drop_index("census_entry_document", table_name="census_entry", postgresql_where=sa.text("document_hash IS NOT NULL"))
    op.drop_index("census_entry_email", table_name="census_entry", postgresql_where=sa.text("email IS NOT NULL"))
    op.drop_table("census_entry")
    op.drop_table("census_import")
