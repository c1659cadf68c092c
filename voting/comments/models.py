"""Tables of comments and of residents' reports on them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

__all__ = ["Comment", "CommentReport"]


class Comment(SQLModel, table=True):
    """A comment on a subject (a proposal, a funded project), or a reply to a top comment (``parent_id``).

    ``open_reports`` counts the reports since a moderator last decided on the comment: at the city's threshold a
    visible comment becomes ``auto_hidden``; a moderator's restore sets it back to 0.
    """

    __tablename__ = "comment"
    __table_args__ = (
        CheckConstraint("subject_kind IN ('proposal', 'funded_project')", name="comment_subject_kind"),
        CheckConstraint("status IN ('visible', 'auto_hidden', 'hidden')", name="comment_status"),
        CheckConstraint("char_length(body) BETWEEN 1 AND 2000", name="comment_body_length"),
        CheckConstraint("open_reports >= 0", name="comment_open_reports"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="comment_not_own_parent"),
        Index("comment_subject", "subject_kind", "subject_id", "id"),
        Index("comment_parent", "parent_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_kind: str = Field(sa_column=Column(String(16), nullable=False))
    subject_id: int = Field(sa_column=Column(Integer, nullable=False))
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("comment.id", ondelete="CASCADE"), nullable=True)
    )
    author_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id"), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="visible", sa_column=Column(String(16), nullable=False,
                                                            server_default=text("'visible'")))
    open_reports: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    moderation_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    moderated_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )


class CommentReport(SQLModel, table=True):
    """One resident's report of one comment: the primary key makes it once per account."""

    __tablename__ = "comment_report"

    comment_id: int = Field(
        sa_column=Column(Integer, ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True)
    )
    account_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    )
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
