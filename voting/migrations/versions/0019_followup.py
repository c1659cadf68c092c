"""follow-up of funded projects: funded_project, project_milestone (+ photo), project_volunteer; the outbox's
project_update mail; funded projects opened for the ballots already published

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-02
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = ("0002", "0003")  # proposal and ballot live on those branches

KINDS = "'confirm_email', 'reset_password', 'proposal_reviewed', 'ballot_opened', 'results_published'"


def upgrade() -> None:
    op.create_table(
        "funded_project",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ballot_id", sa.Integer(), sa.ForeignKey("ballot.id", ondelete="CASCADE"), nullable=False),
        sa.Column("proposal_id", sa.Integer(), sa.ForeignKey("proposal.id"), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), sa.ForeignKey("neighbourhood.id"), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="planned"),
        sa.Column("progress", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("budget_spent", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("abandon_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("status IN ('planned', 'in_progress', 'done', 'abandoned')", name="funded_project_status"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="funded_project_progress"),
        sa.CheckConstraint("budget_spent >= 0", name="funded_project_spent"),
        sa.CheckConstraint("status <> 'abandoned' OR abandon_reason IS NOT NULL",
                           name="funded_project_abandon_reason"),
        sa.UniqueConstraint("ballot_id", "proposal_id", name="funded_project_once"),
    )
    op.create_index("funded_project_neighbourhood", "funded_project", ["neighbourhood_id", "status"])
    op.create_table(
        "project_milestone",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("funded_project.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="milestone"),
        sa.Column("title", sa.String(160), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, server_default=""),
        sa.Column("happens_on", sa.Date(), nullable=False),
        sa.Column("author_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("account.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("kind IN ('milestone', 'work_day')", name="project_milestone_kind"),
    )
    op.create_index("project_milestone_project_day", "project_milestone", ["project_id", "happens_on"])
    op.create_table(
        "project_milestone_photo",
        sa.Column("milestone_id", sa.Integer(), sa.ForeignKey("project_milestone.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'image/webp')",
                           name="project_milestone_photo_type"),
        sa.CheckConstraint("octet_length(content) <= 5242880", name="project_milestone_photo_size"),
        sa.CheckConstraint("thumbnail IS NULL OR octet_length(thumbnail) <= 1048576",
                           name="project_milestone_photo_thumbnail_size"),
    )
    op.create_table(
        "project_volunteer",
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("funded_project.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("account_id", postgresql.UUID(as_uuid=True), sa.ForeignKey("account.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    )
    op.create_index("ix_project_volunteer_account_id", "project_volunteer", ["account_id"])
    op.drop_constraint("mail_outbox_kind", "mail_outbox", type_="check")
    op.create_check_constraint("mail_outbox_kind", "mail_outbox", f"kind IN ({KINDS}, 'project_update')")
    _open_published()


def _open_published() -> None:
    """Ballots published before this revision get their funded projects now (named as their tally names them:
    by labels when every project has a distinct one, else by proposal numbers)."""
    bind = op.get_bind()
    published = bind.execute(sa.text(
        "SELECT b.id, r.document FROM ballot AS b JOIN ballot_result AS r ON r.ballot_id = b.id "
        "WHERE b.status = 'published'")).all()
    for ballot_id, document in published:
        projects = bind.execute(sa.text(
            "SELECT bp.proposal_id, bp.label, bp.cost, p.neighbourhood_id FROM ballot_proposal AS bp "
            "JOIN proposal AS p ON p.id = bp.proposal_id WHERE bp.ballot_id = :ballot"), {"ballot": ballot_id}).all()
        labels = [row[1] for row in projects]
        by_label = all(labels) and len(set(labels)) == len(labels)
        names = {str(row[1]) if by_label else str(row[0]): row for row in projects}
        for name in json.loads(document).get("selected", []):
            if str(name) in names:
                pid, _, cost, hood = names[str(name)]
                bind.execute(sa.text(
                    "INSERT INTO funded_project (ballot_id, proposal_id, neighbourhood_id, budget) "
                    "VALUES (:ballot, :proposal, :hood, :cost) ON CONFLICT ON CONSTRAINT funded_project_once "
                    "DO NOTHING"), {"ballot": ballot_id, "proposal": pid, "hood": hood, "cost": cost})


def downgrade() -> None:
    op.execute("DELETE FROM mail_outbox WHERE kind = 'project_update'")
    op.drop_constraint("mail_outbox_kind", "mail_outbox", type_="check")
    op.create_check_constraint("mail_outbox_kind", "mail_outbox", f"kind IN ({KINDS})")
    op.drop_index("ix_project_volunteer_account_id", table_name="project_volunteer")
    op.drop_table("project_volunteer")
    op.drop_table("project_milestone_photo")
    op.drop_index("project_milestone_project_day", table_name="project_milestone")
    op.drop_table("project_milestone")
    op.drop_index("funded_project_neighbourhood", table_name="funded_project")
    op.drop_table("funded_project")
