"""proposals: full-text search, photos and supports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

A stored tsvector (French and English) with a GIN index on proposals, indexes for the public list and the
review queue, one optional photo per proposal, and one support per citizen per proposal.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = "title || ' ' || summary || ' ' || description"
SEARCH_DOCUMENT = f"to_tsvector('french'::regconfig, {TEXT}) || to_tsvector('english'::regconfig, {TEXT})"


def upgrade() -> None:
    op.add_column('proposal', sa.Column('search_vector', postgresql.TSVECTOR(),
                                        sa.Computed(SEARCH_DOCUMENT, persisted=True), nullable=True))
    op.create_index('proposal_search', 'proposal', ['search_vector'], unique=False, postgresql_using='gin')
    op.create_index('proposal_neighbourhood_status', 'proposal', ['neighbourhood_id', 'status'], unique=False)
    op.create_index('proposal_status_submitted', 'proposal', ['status', 'submitted_at'], unique=False)
    op.create_index('proposal_created', 'proposal', ['created_at', 'id'], unique=False)
    op.create_table('proposal_photo',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'image/webp')", name='proposal_photo_type'),
    sa.CheckConstraint('octet_length(content) <= 5242880', name='proposal_photo_size'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id')
    )
    op.create_table('proposal_support',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.UUID(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'account_id')
    )
    op.create_index(op.f('ix_proposal_support_account_id'), 'proposal_support', ['account_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_proposal_support_account_id'), table_name='proposal_support')
    op.drop_table('proposal_support')
    op.drop_table('proposal_photo')
    op.drop_index('proposal_created', table_name='proposal')
    op.drop_index('proposal_status_submitted', table_name='proposal')
    op.drop_index('proposal_neighbourhood_status', table_name='proposal')
    op.drop_index('proposal_search', table_name='proposal')
    op.drop_column('proposal', 'search_vector')
