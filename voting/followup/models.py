"""Tables of the follow-up: funded projects, their dated milestones (with a photo), and their volunteers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

__all__ = ["FUNDED_STATES", "MILESTONE_KINDS", "FundedProject", "ProjectMilestone", "MilestonePhoto",
           "ProjectVolunteer"]

FUNDED_STATES = ("planned", "in_progress", "done", "abandoned")
MILESTONE_KINDS = ("milestone", "work_day")


def _now() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()")))


class FundedProject(SQLModel, table=True):
    """A proposal a published ballot funded: made at publication, then followed until done or abandoned."""

    __tablename__ = "funded_project"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'in_progress', 'done', 'abandoned')", name="funded_project_status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="funded_project_progress"),
        CheckConstraint("budget_spent >= 0", name="funded_project_spent"),
        CheckConstraint("status <> 'abandoned' OR abandon_reason IS NOT NULL", name="funded_project_abandon_reason"),
        UniqueConstraint("ballot_id", "proposal_id", name="funded_project_once"),
        Index("funded_project_neighbourhood", "neighbourhood_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(sa_column=Column(Integer, ForeignKey("ballot.id", ondelete="CASCADE"), nullable=False))
    proposal_id: int = Field(sa_column=Column(Integer, ForeignKey("proposal.id"), nullable=False))
    neighbourhood_id: int = Field(sa_column=Column(Integer, ForeignKey("neighbourhood.id"), nullable=False))
    budget: int = Field(sa_column=Column(BigInteger, nullable=False))
    status: str = Field(default="planned", sa_column=Column(String(16), nullable=False, server_default="planned"))
    progress: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    budget_spent: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    abandon_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime | None = _now()
    updated_at: datetime | None = _now()


class ProjectMilestone(SQLModel, table=True):
    """A dated step of a funded project posted by a moderator; a ``work_day`` is a day neighbours come to help."""

    __tablename__ = "project_milestone"
    __table_args__ = (
        CheckConstraint("kind IN ('milestone', 'work_day')", name="project_milestone_kind"),
        Index("project_milestone_project_day", "project_id", "happens_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=Column(Integer, ForeignKey("funded_project.id", ondelete="CASCADE"),
                                             nullable=False))
    kind: str = Field(default="milestone", sa_column=Column(String(16), nullable=False, server_default="milestone"))
    title: str = Field(sa_column=Column(String(160), nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    happens_on: date = Field(sa_column=Column(Date, nullable=False))
    author_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id"),
                                                                       nullable=True))
    created_at: datetime | None = _now()


class MilestonePhoto(SQLModel, table=True):
    """The one optional photo of a milestone; its type was read from its bytes (as a proposal's photo)."""

    __tablename__ = "project_milestone_photo"
    __table_args__ = (
        CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'image/webp')",
                        name="project_milestone_photo_type"),
        CheckConstraint("octet_length(content) <= 5242880", name="project_milestone_photo_size"),
        CheckConstraint("thumbnail IS NULL OR octet_length(thumbnail) <= 1048576",
                        name="project_milestone_photo_thumbnail_size"),
    )

    milestone_id: int = Field(sa_column=Column(Integer, ForeignKey("project_milestone.id", ondelete="CASCADE"),
                                               primary_key=True))
    content_type: str = Field(sa_column=Column(String(32), nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    thumbnail: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    """A 480 x 360 WebP without metadata, made at upload (as a proposal photo's); the page shows it."""
    uploaded_at: datetime | None = _now()


class ProjectVolunteer(SQLModel, table=True):
    """A resident taking part in a funded project; the primary key makes a second sign-up impossible."""

    __tablename__ = "project_volunteer"

    project_id: int = Field(sa_column=Column(Integer, ForeignKey("funded_project.id", ondelete="CASCADE"),
                                             primary_key=True))
    account_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id", ondelete="CASCADE"),
                                                   primary_key=True, index=True))
    created_at: datetime | None = _now()
