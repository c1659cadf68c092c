"""The demo's local mailbox: what the outbox holds, newest first, for ``/dev/mail`` (demo without SMTP only)."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from voting.config import Settings
from voting.domain import NotFound
from voting.i18n import gettext as _
from voting.mail.models import OutboxMessage

__all__ = ["mailbox_open", "list_mail", "read_mail", "SHOWN"]

SHOWN = 200


def mailbox_open(settings: Settings) -> None:
    """The mailbox exists only in ``greenballot demo`` without SMTP: anywhere else it is a 404."""
    if not settings.demo or settings.smtp_url:
        raise NotFound(_("Page not found."))


async def list_mail(session: AsyncSession, settings: Settings) -> list[OutboxMessage]:
    mailbox_open(settings)
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(SHOWN)
    return list((await session.exec(query)).all())


async def read_mail(session: AsyncSession, settings: Settings, message_id: int) -> OutboxMessage:
    mailbox_open(settings)
    message = await session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(_("No such message."))
    return message
