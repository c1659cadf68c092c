"""The moderators' queue: reported comments in the neighbourhoods they moderate, hidden ones first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from auth.principal import Principal, can_moderate
from voting.comments.models import Comment
from voting.comments.subjects import Subject, load_subject, page_of
from voting.domain import NotFound

__all__ = ["MAX_QUEUE", "Reported", "reported_comments"]

MAX_QUEUE = 200
"""Reported comments read at most for one queue; the moderator's decisions take them out of it."""


@dataclass(frozen=True)
class Reported:
    id: int
    kind: str
    subject_id: int
    page: str
    author_name: str
    created_at: datetime | None
    status: str
    body: str
    open_reports: int


async def reported_comments(session: AsyncSession, principal: Principal) -> list[Reported]:
    """Comments hidden by reports, then visible ones with reports, newest first, under the subjects the principal
    moderates (admins: all)."""
    rows = (await session.exec(
        select(Comment, col(Account.display_name)).join(Account, col(Account.id) == col(Comment.author_id))
        .where(or_(col(Comment.status) == "auto_hidden",
                   and_(col(Comment.status) == "visible", col(Comment.open_reports) > 0)))
        .order_by(col(Comment.status) != "auto_hidden", col(Comment.id).desc()).limit(MAX_QUEUE))).all()
    subjects: dict[tuple[str, int], Subject | None] = {}
    found = []
    for comment, name in rows:
        key = (comment.subject_kind, comment.subject_id)
        if key not in subjects:
            try:
                subjects[key] = await load_subject(session, *key, principal)
            except NotFound:
                subjects[key] = None
        subject = subjects[key]
        if subject is None or comment.id is None or not can_moderate(principal, subject.neighbourhood_id):
            continue
        found.append(Reported(comment.id, comment.subject_kind, comment.subject_id,
                              page_of(comment.subject_kind, comment.subject_id, comment.id), name,
                              comment.created_at, comment.status, comment.body, comment.open_reports))
    return found
