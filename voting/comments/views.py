"""A subject's discussion as pages and the API show it: threads, what the viewer may read and do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from auth.principal import Principal, can_moderate
from voting.comments.models import Comment, CommentReport
from voting.comments.rules import MAX_BODY, MAX_REASON, ThreadItem, author_refusal, body_shown, threaded
from voting.comments.schemas import CommentPublic, ThreadPublic
from voting.comments.subjects import Subject, funded_project_subject, load_subject, proposal_subject
from voting.proposals.models import Proposal

__all__ = ["MAX_SHOWN", "CommentView", "Thread", "load_thread", "subject_thread", "comment_public", "thread_public",
           "proposal_thread", "funded_project_thread"]

MAX_SHOWN = 1000
"""Comments read for one page, oldest first."""


@dataclass(frozen=True)
class CommentView:
    id: int
    parent_id: int | None
    author_name: str
    created_at: datetime | None
    status: str
    body: str | None
    moderation_reason: str | None
    open_reports: int | None
    is_author: bool
    reported: bool
    can_report: bool


@dataclass(frozen=True)
class Thread:
    subject: Subject
    items: list[ThreadItem]
    count: int
    can_write: bool
    write_refusal: str | None
    is_moderator: bool
    logged_in: bool
    max_body: int = MAX_BODY
    max_reason: int = MAX_REASON


async def subject_thread(session: AsyncSession, subject: Subject, viewer: Principal | None) -> Thread:
    """The discussion of a subject already loaded with the viewer's right to see it."""
    rows = (await session.exec(
        select(Comment, col(Account.display_name)).join(Account, col(Account.id) == col(Comment.author_id))
        .where(Comment.subject_kind == subject.kind, Comment.subject_id == subject.id)
        .order_by(col(Comment.id)).limit(MAX_SHOWN))).all()
    reported: set[int] = set()
    if viewer is not None and rows:
        reported = set((await session.exec(select(col(CommentReport.comment_id)).where(
            col(CommentReport.account_id) == viewer.id,
            col(CommentReport.comment_id).in_([comment.id for comment, _ in rows])))).all())
    moderator = can_moderate(viewer, subject.neighbourhood_id)
    confirmed = viewer is not None and viewer.email_confirmed
    items = []
    for comment, name in rows:
        assert comment.id is not None
        mine = viewer is not None and viewer.id == comment.author_id
        view = CommentView(
            id=comment.id, parent_id=comment.parent_id, author_name=name, created_at=comment.created_at,
            status=comment.status,
            body=comment.body if body_shown(comment.status, is_moderator=moderator, is_author=mine) else None,
            moderation_reason=comment.moderation_reason if comment.status == "hidden" else None,
            open_reports=comment.open_reports if moderator else None, is_author=mine,
            reported=comment.id in reported,
            can_report=confirmed and not mine and comment.id not in reported and comment.status == "visible")
        items.append(ThreadItem(comment.id, comment.parent_id, view))
    refusal = None if viewer is None else author_refusal(viewer.email_confirmed)
    return Thread(subject=subject, items=threaded(items), count=len(items),
                  can_write=viewer is not None and refusal is None and subject.open, write_refusal=refusal,
                  is_moderator=moderator, logged_in=viewer is not None)


async def load_thread(session: AsyncSession, kind: str, subject_id: int, viewer: Principal | None) -> Thread:
    return await subject_thread(session, await load_subject(session, kind, subject_id, viewer), viewer)


def comment_public(item: ThreadItem) -> CommentPublic:
    view: CommentView = item.payload
    return CommentPublic(id=view.id, parent_id=view.parent_id, author_name=view.author_name,
                         created_at=view.created_at, status=view.status, body=view.body,
                         moderation_reason=view.moderation_reason, open_reports=view.open_reports,
                         reported_by_me=view.reported, replies=[comment_public(reply) for reply in item.replies])


def thread_public(thread: Thread) -> ThreadPublic:
    return ThreadPublic(kind=thread.subject.kind, subject_id=thread.subject.id, count=thread.count,
                        can_write=thread.can_write, comments=[comment_public(item) for item in thread.items])


async def proposal_thread(session: AsyncSession, proposal: Proposal, viewer: Principal | None) -> Thread:
    """The discussion under a proposal its page already loaded (and checked the viewer may see)."""
    return await subject_thread(session, proposal_subject(proposal), viewer)


async def funded_project_thread(session: AsyncSession, project: Any, viewer: Principal | None) -> Thread:
    """The discussion under a funded project its page already loaded."""
    return await subject_thread(session, funded_project_subject(project), viewer)
