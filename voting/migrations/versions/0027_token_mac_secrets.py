"""token keys keep a random MAC secret, sealed under the key-encryption secret: a token is authenticated with it
(HS256), so making one needs both the database and that secret; kept through the key's grace period only

Revision ID: 0027
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("signing_key", sa.Column("mac_secret", sa.Text(), nullable=True))
    op.create_check_constraint("signing_key_mac_secret_tokens", "signing_key",
                               "mac_secret IS NULL OR purpose = 'tokens'")


def downgrade() -> None:
    op.drop_constraint("signing_key_mac_secret_tokens", "signing_key", type_="check")
    op.drop_column("signing_key", "mac_secret")
