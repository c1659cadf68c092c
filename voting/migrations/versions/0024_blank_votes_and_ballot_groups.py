"""blank votes and grouped ballots: a ballot may accept blank votes; a group of district ballots (and the
city-wide one, ``ballot.group_id``) where each resident votes in their own district and N others, with per voter
the districts voted in (locked while voting, and bounded by a CHECK)

Revision ID: 0024
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("ballot", sa.Column("allow_blank", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "ballot_group",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("extra_districts", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("extra_districts >= 0", name="ballot_group_extra_districts"),
    )
    op.add_column("ballot", sa.Column("group_id", sa.Integer(), sa.ForeignKey("ballot_group.id", ondelete="SET NULL"),
                                      nullable=True))
    # one ballot per district in a group (the city-wide one has no district)
    op.create_index("ballot_group_district", "ballot", ["group_id", "neighbourhood_id"], unique=True,
                    postgresql_where=sa.text("group_id IS NOT NULL"))
    op.create_table(
        "ballot_group_voter",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("ballot_group.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("voter_key", sa.String(length=64), primary_key=True),
        sa.Column("district_ids", sa.ARRAY(sa.Integer()), nullable=False, server_default="{}"),
        sa.Column("max_districts", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("cardinality(district_ids) <= max_districts", name="ballot_group_voter_limit"),
    )


def downgrade() -> None:
    op.drop_table("ballot_group_voter")
    op.drop_index("ballot_group_district", table_name="ballot")
    op.drop_column("ballot", "group_id")
    op.drop_table("ballot_group")
    op.drop_column("ballot", "allow_blank")
