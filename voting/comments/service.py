"""Comment use cases: write, reply, report, hide and restore; each audited in the caller's transaction."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal, can_moderate
from auth.ratelimit import Counter
from auth.service import TooManyAttempts
from auth.throttle import Blocked, reserve
from voting.admin.settings import load_city_settings
from voting.audit.service import record
from voting.comments.models import Comment, CommentReport
from voting.comments.rules import (
    CommentLimits,
    Parent,
    ReportLimits,
    author_refusal,
    check_body,
    check_reason,
    moderated_status,
    reply_target,
    report_refusal,
    status_after_report,
)
from voting.comments.subjects import Subject, load_subject
from voting.domain import Conflict, Forbidden, NotFound
from voting.i18n import gettext as _

__all__ = ["post_comment", "report_comment", "moderate_comment", "load_comment", "comment_subject"]


def _actor(principal: Principal) -> str:
    return f"account:{principal.id}"


async def _throttled(session: AsyncSession, key: str, free: int, limits: CommentLimits | ReportLimits) -> None:
    try:
        await reserve(session, [Counter(key, free)], first=limits.first_delay, cap=limits.max_delay,
                      forget_after=limits.forget_after)
    except Blocked as blocked:
        raise TooManyAttempts(blocked.seconds, _("You are writing too fast; try again in {seconds} seconds.")) \
            from None


async def load_comment(session: AsyncSession, comment_id: int, *, lock: bool = False) -> Comment:
    query = select(Comment).where(Comment.id == comment_id)
    comment = (await session.exec(query.with_for_update() if lock else query)).first()
    if comment is None:
        raise NotFound(_("There is no comment {id}.").format(id=comment_id))
    return comment


async def comment_subject(session: AsyncSession, comment: Comment, viewer: Principal | None) -> Subject:
    """The comment's subject; a comment under something the viewer cannot see is not found either."""
    try:
        return await load_subject(session, comment.subject_kind, comment.subject_id, viewer)
    except NotFound:
        raise NotFound(_("There is no comment {id}.").format(id=comment.id)) from None


async def post_comment(session: AsyncSession, principal: Principal, kind: str, subject_id: int, body: str, *,
                       parent_id: int | None = None, limits: CommentLimits = CommentLimits()) -> Comment:
    """A comment by a resident who confirmed their address, or a reply (attached to the top comment)."""
    subject = await load_subject(session, kind, subject_id, principal)
    refused = author_refusal(principal.email_confirmed)
    if refused:
        raise Forbidden(refused)
    if not subject.open:
        raise Conflict(_("This page does not take comments."))
    text = check_body(body)
    top = None
    if parent_id is not None:
        parent = await session.get(Comment, parent_id)
        if parent is None or parent.id is None:
            raise NotFound(_("There is no comment {id}.").format(id=parent_id))
        top = reply_target(Parent(parent.id, parent.parent_id, parent.subject_kind, parent.subject_id,
                                  parent.status), kind, subject_id)
    await _throttled(session, f"comment:{principal.id}", limits.free_per_account, limits)
    comment = Comment(subject_kind=kind, subject_id=subject_id, parent_id=top, author_id=principal.id, body=text,
                      created_at=datetime.now(UTC))
    session.add(comment)
    await session.flush()
    # The text itself stays out of the audit log (never rewritten, it outlives an erased account): its hash proves it.
    await record(session, actor=_actor(principal), action="comment.posted", subject=f"comment:{comment.id}",
                 data={"on": f"{kind}:{subject_id}", "parent_id": top, "length": len(text),
                       "sha256": hashlib.sha256(text.encode()).hexdigest()})
    return comment


async def report_comment(session: AsyncSession, principal: Principal, comment_id: int, *,
                         limits: ReportLimits = ReportLimits()) -> Comment:
    """One report per account; at the city's threshold a visible comment is hidden until a moderator decides."""
    if not principal.email_confirmed:
        raise Forbidden(_("Confirm your e-mail address before reporting comments (see your account page)."))
    comment = await load_comment(session, comment_id, lock=True)  # reports of one comment count one at a time
    await comment_subject(session, comment, principal)
    already = await session.get(CommentReport, (comment_id, principal.id))
    report_refusal(is_author=comment.author_id == principal.id, already_reported=already is not None)
    await _throttled(session, f"comment-report:{principal.id}", limits.free_per_account, limits)
    hide_after = (await load_city_settings(session)).comment_hide_after_reports
    session.add(CommentReport(comment_id=comment_id, account_id=principal.id))
    comment.open_reports += 1
    before, comment.status = comment.status, status_after_report(comment.status, comment.open_reports, hide_after)
    session.add(comment)
    await session.flush()
    await record(session, actor=_actor(principal), action="comment.reported", subject=f"comment:{comment_id}",
                 data={"open_reports": comment.open_reports})
    if comment.status != before:
        await record(session, actor="system", action="comment.auto_hidden", subject=f"comment:{comment_id}",
                     data={"open_reports": comment.open_reports, "hide_after": hide_after})
    return comment


async def moderate_comment(session: AsyncSession, principal: Principal, comment_id: int, action: str,
                           reason: str) -> Comment:
    """Hide or restore a comment with a reason: the subject's moderators and admins. A restore clears the reports
    counted so far (those residents cannot report it again; new reporters can)."""
    comment = await load_comment(session, comment_id, lock=True)
    subject = await comment_subject(session, comment, principal)
    if not can_moderate(principal, subject.neighbourhood_id):
        raise Forbidden(_("Only the moderators of this neighbourhood and admins moderate its comments."))
    text = check_reason(reason)
    before = comment.status
    comment.status = moderated_status(comment.status, action)
    comment.moderation_reason, comment.moderated_at = text, datetime.now(UTC)
    if action == "restore":
        comment.open_reports = 0
    session.add(comment)
    await session.flush()
    await record(session, actor=_actor(principal), action=f"comment.{'hidden' if action == 'hide' else 'restored'}",
                 subject=f"comment:{comment_id}", data={"from": before, "reason": text})
    return comment
