"""The discussion's forms on a subject's page: write or reply, report, and (moderators) hide or restore."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from auth.guards import current_principal, requires_login, requires_moderator
from voting.comments.review import reported_comments
from voting.comments.rules import MAX_REASON
from voting.comments.service import moderate_comment, post_comment, report_comment
from voting.comments.subjects import page_of
from voting.database import DBSession
from voting.domain import Invalid
from voting.fields import PathId, Text
from voting.i18n import gettext as _

__all__ = ["CommentPages", "CommentForm", "ModerationForm"]

Req = Request[Any, Any, Any]


class CommentForm(BaseModel):
    body: Text = Field(default="", max_length=20_000)
    parent_id: str = Field(default="", max_length=12)

    def parent(self) -> int | None:
        text = self.parent_id.strip()
        if not text:
            return None
        if not text.isdigit() or not 0 < int(text) < 2**31:
            raise Invalid(_("The comment you reply to is not in this discussion."))
        return int(text)


class ModerationForm(BaseModel):
    action: str = Field(default="", max_length=16)
    reason: Text = Field(default="", max_length=5_000)


class CommentPages(Controller):
    include_in_schema = False

    @post("/discussions/{kind:str}/{subject_id:int}", guards=[requires_login])
    async def write(self, request: Req, db_session: DBSession, kind: FromPath[str], subject_id: PathId,
                    data: URLEncodedBody[CommentForm]) -> Redirect:
        comment = await post_comment(db_session, current_principal(request), kind, subject_id, data.body,
                                     parent_id=data.parent())
        return Redirect(page_of(kind, subject_id, comment.id))

    @get("/comments/reported", name="reported_comments", guards=[requires_moderator], media_type=MediaType.HTML)
    async def reported(self, request: Req, db_session: DBSession) -> Template:
        return Template("comments/reported.html", context={
            "rows": await reported_comments(db_session, current_principal(request)), "max_reason": MAX_REASON})

    @post("/comments/{comment_id:int}/report", guards=[requires_login])
    async def report(self, request: Req, db_session: DBSession, comment_id: PathId) -> Redirect:
        comment = await report_comment(db_session, current_principal(request), comment_id)
        return Redirect(page_of(comment.subject_kind, comment.subject_id, comment.id))

    @post("/comments/{comment_id:int}/moderation", guards=[requires_moderator])
    async def moderate(self, request: Req, db_session: DBSession, comment_id: PathId,
                       data: URLEncodedBody[ModerationForm]) -> Redirect:
        comment = await moderate_comment(db_session, current_principal(request), comment_id, data.action, data.reason)
        return Redirect(page_of(comment.subject_kind, comment.subject_id, comment.id))
