"""a vote reads its ballot's status after the close barrier without locking the ballot's row

``vote_barrier_open(barrier, ballot)`` takes the ballot's barrier in shared mode, then reads whether the ballot is
open in the database's clock. It is VOLATILE, so in READ COMMITTED its query takes a fresh snapshot after the lock
is granted: a vote that waited for a close reads the ballot as the close committed it (closed), as the row lock
``FOR SHARE`` guaranteed before, without writing a row lock (a MultiXact and WAL) per concurrent vote.

Revision ID: 0027
Revises: 0017
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0027"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION vote_barrier_open(barrier integer, ballot_id integer) RETURNS boolean
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock_shared(barrier, ballot_id);
            -- a new statement, so a new snapshot: taken once the barrier is held
            RETURN EXISTS (SELECT 1 FROM ballot b WHERE b.id = ballot_id AND b.status = 'open'
                           AND b.opens_at <= clock_timestamp() AND clock_timestamp() < b.closes_at);
        END
        $$""")


def downgrade() -> None:
    op.execute("DROP FUNCTION vote_barrier_open(integer, integer)")
