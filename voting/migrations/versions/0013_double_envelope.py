"""the double envelope: votes sealed until the close, a log that names no published vote, keys outside the dump

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vote_envelope",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["ballot.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_vote_envelope_ballot_id"), "vote_envelope", ["ballot_id"], unique=False)
    # Ballots made before keep their stored slot key (scheme 1); new ones store a salt (scheme 2).
    op.add_column("ballot_secret", sa.Column("scheme", sa.SmallInteger(), nullable=False, server_default="1"))
    op.alter_column("ballot_secret", "scheme", server_default="2")
    op.add_column("participation", sa.Column("receipt_key", sa.String(length=64), nullable=True))
    op.alter_column("vote_leaf", "receipt_hash", new_column_name="receipt_key")
    op.alter_column("vote_leaf", "commitment", new_column_name="masked_commitment")
    op.execute("ALTER TABLE vote_leaf RENAME CONSTRAINT vote_leaf_receipt_hash_key TO vote_leaf_receipt_key_key")
    op.add_column("vote_leaf", sa.Column("masked", sa.Boolean(), nullable=False, server_default=sa.text("false")))
    op.alter_column("vote_leaf", "masked", server_default=sa.text("true"))


def downgrade() -> None:
    op.drop_column("vote_leaf", "masked")
    op.alter_column("vote_leaf", "masked_commitment", new_column_name="commitment")
    op.execute("ALTER TABLE vote_leaf RENAME CONSTRAINT vote_leaf_receipt_key_key TO vote_leaf_receipt_hash_key")
    op.alter_column("vote_leaf", "receipt_key", new_column_name="receipt_hash")
    op.drop_column("participation", "receipt_key")
    op.drop_column("ballot_secret", "scheme")
    op.drop_index(op.f("ix_vote_envelope_ballot_id"), table_name="vote_envelope")
    op.drop_table("vote_envelope")
