"""proposal photo thumbnail: a small WebP made at upload, shown on the vote cards

Photos stored before this revision have none: the thumbnail route serves the photo itself for them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0002"  # proposal_photo is made there (another branch from 0001)


def upgrade() -> None:
    op.add_column("proposal_photo", sa.Column("thumbnail", sa.LargeBinary(), nullable=True))
    op.create_check_constraint("proposal_photo_thumbnail_size", "proposal_photo",
                               "thumbnail IS NULL OR octet_length(thumbnail) <= 1048576")


def downgrade() -> None:
    op.drop_constraint("proposal_photo_thumbnail_size", "proposal_photo", type_="check")
    op.drop_column("proposal_photo", "thumbnail")
