"""Request and response bodies of the comments API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from voting.fields import RowId, Text

__all__ = ["CommentCreate", "ModerationRequest", "CommentPublic", "ThreadPublic", "ReportedPublic"]


class CommentCreate(BaseModel):
    """A comment, or a reply when ``parent_id`` names a comment of the same page (a reply to a reply attaches to
    its top comment). The domain checks the length (1 to 2000 characters once trimmed)."""

    body: Text = Field(max_length=20_000)
    parent_id: RowId | None = None


class ModerationRequest(BaseModel):
    action: str = Field(max_length=16, description="hide or restore")
    reason: Text = Field(max_length=5_000, description="shown to residents in place of a hidden comment")


class CommentPublic(BaseModel):
    id: int
    parent_id: int | None
    author_name: str
    created_at: datetime | None
    status: str = Field(description="visible, auto_hidden (reported, awaiting a moderator) or hidden")
    body: str | None = Field(description="null when hidden, except for its author and the moderators")
    moderation_reason: str | None
    open_reports: int | None = Field(default=None, description="moderators only: reports since their last decision")
    reported_by_me: bool = False
    replies: list[CommentPublic] = Field(default_factory=list)


class ThreadPublic(BaseModel):
    kind: str
    subject_id: int
    count: int
    can_write: bool
    comments: list[CommentPublic]


class ReportedPublic(BaseModel):
    """A reported comment in a moderator's queue."""

    id: int
    kind: str
    subject_id: int
    page: str = Field(description="the page showing it, at the comment")
    author_name: str
    created_at: datetime | None
    status: str
    body: str
    open_reports: int
