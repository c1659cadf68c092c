"""ballots

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-25

Vote format, tally rule and eligibility on ballots; voter rolls; the ballot box kept apart from who voted
(participation, vote keyed by an HMAC slot, per-ballot secrets), the vote log leaves, idempotency records and
signed checkpoints. Server defaults give existing ballots a knapsack vote counted by greedy.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ballot_secret',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('slot_key', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id')
    )
    op.create_table('participation',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('voter_ref', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('age_band', sa.String(length=16), server_default='unknown', nullable=False),
    sa.CheckConstraint("channel IN ('online', 'paper')", name='participation_channel'),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', 'voter_ref')
    )
    op.create_table('vote',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.LargeBinary(), nullable=False),
    sa.Column('content', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', 'slot'),
    sa.UniqueConstraint('receipt_hash')
    )
    op.create_table('vote_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('tree_size', sa.BigInteger(), nullable=False),
    sa.Column('root', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.Text(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ballot_id', 'tree_size', name='vote_checkpoint_size')
    )
    op.create_index(op.f('ix_vote_checkpoint_ballot_id'), 'vote_checkpoint', ['ballot_id'], unique=False)
    op.create_table('vote_leaf',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('leaf_hash', sa.LargeBinary(), nullable=False),
    sa.Column('tree_index', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ballot_id', 'tree_index', name='vote_leaf_tree_index'),
    sa.UniqueConstraint('receipt_hash')
    )
    op.create_index(op.f('ix_vote_leaf_ballot_id'), 'vote_leaf', ['ballot_id'], unique=False)
    op.create_table('vote_request',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('request_hash', sa.LargeBinary(), nullable=False),
    sa.Column('sealed_receipt', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', 'request_hash')
    )
    op.create_table('voter_roll_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('email IS NOT NULL OR external_id IS NOT NULL', name='voter_roll_entry_key'),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhood.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ballot_id', 'email', name='voter_roll_entry_email'),
    sa.UniqueConstraint('ballot_id', 'external_id', name='voter_roll_entry_external_id')
    )
    op.add_column('ballot', sa.Column('vote_format', sa.String(length=16), server_default='knapsack', nullable=False))
    op.add_column('ballot', sa.Column('min_projects', sa.Integer(), nullable=True))
    op.add_column('ballot', sa.Column('max_projects', sa.Integer(), nullable=True))
    op.add_column('ballot', sa.Column('min_spend_percent', sa.Integer(), nullable=True))
    op.add_column('ballot', sa.Column('total_points', sa.Integer(), nullable=True))
    op.add_column('ballot', sa.Column('max_points_per_project', sa.Integer(), nullable=True))
    op.add_column('ballot', sa.Column('max_ranks', sa.Integer(), nullable=True))
    op.add_column('ballot', sa.Column('rule', sa.String(length=32), server_default='greedy', nullable=False))
    op.add_column('ballot', sa.Column('tie_break', sa.String(length=64), server_default='min-cost,max-votes,lexico',
                                      nullable=False))
    op.add_column('ballot', sa.Column('min_age', sa.Integer(), server_default='16', nullable=True))
    op.add_column('ballot', sa.Column('requires_roll', sa.Boolean(), server_default='false', nullable=False))
    op.add_column('ballot', sa.Column('requires_residence', sa.Boolean(), server_default='true', nullable=False))
    op.add_column('ballot', sa.Column('requires_verified', sa.Boolean(), server_default='true', nullable=False))
    op.add_column('ballot', sa.Column('cancel_reason', sa.Text(), nullable=True))
    op.create_check_constraint('ballot_vote_format', 'ballot',
                               "vote_format IN ('approval', 'knapsack', 'cumulative', 'ranked', 'choose-one')")
    op.create_check_constraint('ballot_min_spend_percent', 'ballot',
                               'min_spend_percent IS NULL OR min_spend_percent BETWEEN 0 AND 100')
    op.create_check_constraint('ballot_cancel_reason', 'ballot',
                               "status <> 'cancelled' OR cancel_reason IS NOT NULL")


def downgrade() -> None:
    for name in ('ballot_cancel_reason', 'ballot_min_spend_percent', 'ballot_vote_format'):
        op.drop_constraint(name, 'ballot', type_='check')
    op.drop_column('ballot', 'cancel_reason')
    op.drop_column('ballot', 'requires_verified')
    op.drop_column('ballot', 'requires_residence')
    op.drop_column('ballot', 'requires_roll')
    op.drop_column('ballot', 'min_age')
    op.drop_column('ballot', 'tie_break')
    op.drop_column('ballot', 'rule')
    op.drop_column('ballot', 'max_ranks')
    op.drop_column('ballot', 'max_points_per_project')
    op.drop_column('ballot', 'total_points')
    op.drop_column('ballot', 'min_spend_percent')
    op.drop_column('ballot', 'max_projects')
    op.drop_column('ballot', 'min_projects')
    op.drop_column('ballot', 'vote_format')
    op.drop_table('voter_roll_entry')
    op.drop_table('vote_request')
    op.drop_index(op.f('ix_vote_leaf_ballot_id'), table_name='vote_leaf')
    op.drop_table('vote_leaf')
    op.drop_index(op.f('ix_vote_checkpoint_ballot_id'), table_name='vote_checkpoint')
    op.drop_table('vote_checkpoint')
    op.drop_table('vote')
    op.drop_table('participation')
    op.drop_table('ballot_secret')
