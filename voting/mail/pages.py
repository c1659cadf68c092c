"""``/dev/mail``: the demo's mailbox, to read the mail the demo city sent (404 outside the demo)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from voting.database import DBSession
from voting.mail.mailbox import list_mail, read_mail

__all__ = ["DevMailPages"]

Req = Request[Any, Any, Any]


class DevMailPages(Controller):
    path = "/dev/mail"
    include_in_schema = False

    @get("/", name="dev_mail")
    async def mailbox(self, request: Req, db_session: DBSession) -> Template:
        messages = await list_mail(db_session, request.app.state.settings)
        return Template("mail/dev/list.html", context={"messages": messages})

    @get("/{message_id:int}", name="dev_mail_message")
    async def message(self, request: Req, db_session: DBSession, message_id: FromPath[int]) -> Template:
        message = await read_mail(db_session, request.app.state.settings, message_id)
        return Template("mail/dev/message.html", context={"message": message})
