"""JSON API of comments: read a discussion, write, report, and (moderators) hide or restore."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from auth.guards import current_principal, requires_login, requires_moderator
from auth.principal import Principal
from voting.comments.models import Comment
from voting.comments.review import reported_comments
from voting.comments.rules import body_shown
from voting.comments.schemas import CommentCreate, CommentPublic, ModerationRequest, ReportedPublic, ThreadPublic
from voting.comments.service import moderate_comment, post_comment, report_comment
from voting.comments.views import load_thread, thread_public
from voting.database import DBSession, ReadSession
from voting.fields import PathId

__all__ = ["DiscussionAPI", "CommentAPI", "own_comment_public"]

Req = Request[Any, Any, Any]


def own_comment_public(comment: Comment, principal: Principal, *, moderator: bool = False) -> CommentPublic:
    """A comment the principal just wrote, reported or moderated, as they may now read it."""
    assert comment.id is not None
    mine = comment.author_id == principal.id
    shown = body_shown(comment.status, is_moderator=moderator, is_author=mine)
    return CommentPublic(id=comment.id, parent_id=comment.parent_id, created_at=comment.created_at,
                         author_name=principal.display_name if mine else "", status=comment.status,
                         body=comment.body if shown else None, reported_by_me=not mine and not moderator,
                         moderation_reason=comment.moderation_reason if comment.status == "hidden" else None)


class DiscussionAPI(Controller):
    path = "/api/v1/discussions/{kind:str}/{subject_id:int}"
    tags = ["comments"]

    @get("/", operation_id="listComments")
    async def show(self, request: Req, read_session: ReadSession, kind: FromPath[str],
                   subject_id: PathId) -> ThreadPublic:
        """The comments on a proposal (``kind`` proposal) or a funded project (``funded_project``), oldest first,
        each top comment with its replies; a hidden comment's text only for its author and the moderators."""
        return thread_public(await load_thread(read_session, kind, subject_id, request.scope.get("user")))

    @post("/", operation_id="createComment", guards=[requires_login], status_code=201)
    async def create(self, request: Req, db_session: DBSession, kind: FromPath[str], subject_id: PathId,
                     data: JSONBody[CommentCreate]) -> CommentPublic:
        """Write a comment or a reply (residents who confirmed their address; a few a minute at most)."""
        principal = current_principal(request)
        comment = await post_comment(db_session, principal, kind, subject_id, data.body, parent_id=data.parent_id)
        return own_comment_public(comment, principal)


class CommentAPI(Controller):
    path = "/api/v1/comments"
    tags = ["comments"]

    @get("/reported", operation_id="listReportedComments", guards=[requires_moderator])
    async def reported(self, request: Req, db_session: DBSession) -> list[ReportedPublic]:
        """Comments hidden by residents' reports, then visible ones with reports, in the caller's neighbourhoods."""
        rows = await reported_comments(db_session, current_principal(request))
        return [ReportedPublic(**asdict(item)) for item in rows]

    @post("/{comment_id:int}/report", operation_id="reportComment", guards=[requires_login], status_code=200)
    async def report(self, request: Req, db_session: DBSession, comment_id: PathId) -> CommentPublic:
        """Report a comment to the moderators, once per account; enough reports hide it until they decide."""
        principal = current_principal(request)
        return own_comment_public(await report_comment(db_session, principal, comment_id), principal)

    @post("/{comment_id:int}/moderation", operation_id="moderateComment", guards=[requires_moderator], status_code=200)
    async def moderate(self, request: Req, db_session: DBSession, comment_id: PathId,
                       data: JSONBody[ModerationRequest]) -> CommentPublic:
        """Hide or restore a comment, with the reason residents read (its neighbourhood's moderators, admins)."""
        principal = current_principal(request)
        comment = await moderate_comment(db_session, principal, comment_id, data.action, data.reason)
        return own_comment_public(comment, principal, moderator=True)
