"""key retirement and poll officers: retired private keys destroyed, token keys verify until a grace period
ends, and the poll_officer role with its neighbourhoods

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = "role IN ('citizen', 'moderator', 'auditor', 'admin')"
NEW_ROLES = "role IN ('citizen', 'moderator', 'poll_officer', 'auditor', 'admin')"


def upgrade() -> None:
    op.drop_constraint("role_grant_role", "role_grant", type_="check")
    op.create_check_constraint("role_grant_role", "role_grant", NEW_ROLES)
    op.create_table(
        "poll_officer_scope",
        sa.Column("account_id", sa.UUID(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["neighbourhood_id"], ["neighbourhood.id"]),
        sa.PrimaryKeyConstraint("account_id", "neighbourhood_id"),
    )
    op.add_column("signing_key", sa.Column("verify_until", sa.DateTime(timezone=True), nullable=True))
    op.alter_column("signing_key", "private_key", existing_type=sa.Text(), nullable=True)
    # Token keys retired before this version verify for one default token lifetime after their retirement.
    op.execute("UPDATE signing_key SET verify_until = retired_at + interval '8 hours' "
               "WHERE purpose = 'tokens' AND retired_at IS NOT NULL")
    op.execute("UPDATE signing_key SET private_key = NULL WHERE retired_at IS NOT NULL")
    op.create_check_constraint("signing_key_retired_private", "signing_key",
                               "retired_at IS NULL OR private_key IS NULL")


def downgrade() -> None:
    op.drop_constraint("signing_key_retired_private", "signing_key", type_="check")
    op.execute("UPDATE signing_key SET private_key = '' WHERE private_key IS NULL")
    op.alter_column("signing_key", "private_key", existing_type=sa.Text(), nullable=False)
    op.drop_column("signing_key", "verify_until")
    op.drop_table("poll_officer_scope")
    op.execute("DELETE FROM role_grant WHERE role = 'poll_officer'")
    op.drop_constraint("role_grant_role", "role_grant", type_="check")
    op.create_check_constraint("role_grant_role", "role_grant", OLD_ROLES)
