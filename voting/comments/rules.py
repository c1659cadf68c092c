"""Pure comment rules: who may write, what a comment may hold, where a reply attaches, reports and moderation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from voting.domain import Conflict, Forbidden, Invalid, NotFound
from voting.i18n import gettext as _

__all__ = ["SUBJECT_KINDS", "STATES", "MAX_BODY", "MAX_REASON", "DEFAULT_HIDE_AFTER", "MODERATION_ACTIONS",
           "CommentLimits", "ReportLimits", "Parent", "ThreadItem", "check_kind", "check_body", "check_reason",
           "author_refusal", "reply_target", "report_refusal", "status_after_report", "moderated_status",
           "body_shown", "threaded"]

SUBJECT_KINDS = ("proposal", "funded_project")
STATES = ("visible", "auto_hidden", "hidden")
"""``auto_hidden``: enough residents reported it, a moderator has not decided yet; ``hidden``: a moderator hid it."""
MAX_BODY = 2000
MAX_REASON = 500
DEFAULT_HIDE_AFTER = 3
"""Reports that hide a comment until a moderator decides (the city setting ``comment_hide_after_reports``)."""
MODERATION_ACTIONS = ("hide", "restore")


@dataclass(frozen=True)
class CommentLimits:
    """Comments per account: five in a row freely, then a growing wait; a quarter of an hour's pause forgets."""

    free_per_account: int = 5
    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=1)
    forget_after: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class ReportLimits:
    free_per_account: int = 20
    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=1)
    forget_after: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class Parent:
    """The comment a reply answers."""

    id: int
    parent_id: int | None
    subject_kind: str
    subject_id: int
    status: str = "visible"


@dataclass(frozen=True)
class ThreadItem:
    """One comment as a thread holds it; ``replies`` only on top comments."""

    id: int
    parent_id: int | None
    payload: Any
    replies: list[ThreadItem] = field(default_factory=list)


def check_kind(kind: str) -> str:
    if kind not in SUBJECT_KINDS:
        raise NotFound(_("Comments are on proposals and funded projects only (not {kind}).").format(kind=kind[:32]))
    return kind


def check_body(body: str) -> str:
    """The text as stored: surrounding blank space removed, 1 to ``MAX_BODY`` characters (line breaks kept)."""
    text = (body or "").strip()
    if not text:
        raise Invalid(_("Write something before sending the comment."))
    if len(text) > MAX_BODY:
        raise Invalid(_("A comment is at most {limit} characters long (this one has {length}).").format(
            limit=MAX_BODY, length=len(text)))
    return text


def check_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise Invalid(_("Give the reason for this moderation: residents read it in place of the comment."))
    if len(text) > MAX_REASON:
        raise Invalid(_("A moderation reason is at most {limit} characters long.").format(limit=MAX_REASON))
    return text


def author_refusal(email_confirmed: bool) -> str | None:
    """Why this account may not write a comment, or None: only residents who confirmed their address."""
    if not email_confirmed:
        return _("Confirm your e-mail address before writing comments (see your account page).")
    return None


def reply_target(parent: Parent, kind: str, subject_id: int) -> int:
    """The top comment a reply attaches to: the parent itself, or the parent's own top comment when the parent is
    already a reply (threads are one level deep). A parent under another subject, or hidden, is refused."""
    if (parent.subject_kind, parent.subject_id) != (kind, subject_id):
        raise Invalid(_("The comment you reply to is not in this discussion."))
    if parent.status != "visible":
        raise Conflict(_("This comment is hidden: it takes no reply until a moderator restores it."))
    return parent.parent_id if parent.parent_id is not None else parent.id


def report_refusal(*, is_author: bool, already_reported: bool) -> None:
    if is_author:
        raise Forbidden(_("You cannot report your own comment."))
    if already_reported:
        raise Conflict(_("You have already reported this comment."))


def status_after_report(status: str, open_reports: int, hide_after: int) -> str:
    """A visible comment is hidden once ``hide_after`` residents reported it since a moderator's last decision."""
    if status == "visible" and open_reports >= max(1, hide_after):
        return "auto_hidden"
    return status


def moderated_status(status: str, action: str) -> str:
    """The status a moderator's ``hide`` or ``restore`` leads to; a move that changes nothing is refused."""
    if action not in MODERATION_ACTIONS:
        raise Invalid(_("Unknown moderation action {action}: use hide or restore.").format(action=action[:32]))
    if action == "hide":
        if status == "hidden":
            raise Conflict(_("This comment is already hidden."))
        return "hidden"
    if status == "visible":
        raise Conflict(_("This comment is not hidden."))
    return "visible"


def body_shown(status: str, *, is_moderator: bool, is_author: bool) -> bool:
    """Everyone reads visible comments; a hidden one only its author and the subject's moderators."""
    return status == "visible" or is_moderator or is_author


def threaded(items: Iterable[ThreadItem]) -> list[ThreadItem]:
    """Top comments in the given order, each with its replies in the given order (orphans are dropped)."""
    ordered: Sequence[ThreadItem] = list(items)
    tops = {item.id: item for item in ordered if item.parent_id is None}
    for item in ordered:
        if item.parent_id is not None and item.parent_id in tops:
            tops[item.parent_id].replies.append(item)
    return list(tops.values())
