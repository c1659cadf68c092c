"""Put messages in the outbox inside the caller's transaction: they leave only if the change commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from voting.admin.settings import load_city_settings
from voting.config import load_settings
from voting.i18n import LANGUAGES
from voting.mail.models import OutboxMessage
from voting.mail.rendering import RenderedMail, render
from voting.mail.rules import check_address
from voting.presentation import CityStyle

__all__ = ["enqueue", "public_link", "city_context", "new_message_id", "wake_senders", "rendered_for", "WAKE_CHANNEL"]

WAKE_CHANNEL = "greenballot_mail"
"""Senders LISTEN here; the NOTIFY is delivered when (and only if) the enqueuing transaction commits."""


def public_link(path: str) -> str:
    """An absolute link to ``path`` on the public site (``GREENBALLOT_PUBLIC_URL``)."""
    return load_settings().public_url + "/" + path.lstrip("/")


def new_message_id() -> str:
    """A Message-ID fixed at enqueue time, so a message sent twice after a crash is recognisably the same."""
    host = urlsplit(load_settings().public_url).hostname or "localhost"
    return f"<{uuid.uuid4().hex}@{host}>"


async def city_context(session: AsyncSession) -> tuple[str, CityStyle]:
    """The city's default language and how it writes amounts and moments."""
    city = await load_city_settings(session)
    language = city.default_language if city.default_language in LANGUAGES else "fr"
    return language, CityStyle(city.city_name, city.currency, city.time_zone)


async def wake_senders(session: AsyncSession) -> None:
    await session.exec(text("SELECT pg_notify(:channel, '')").bindparams(channel=WAKE_CHANNEL))  # type: ignore[call-overload]


async def enqueue(session: AsyncSession, *, to: str, kind: str, language: str, context: dict[str, Any],
                  account_id: uuid.UUID | None = None) -> None:
    """Render ``kind`` in ``language`` now and add it to the outbox in the caller's transaction (flushed).

    ``language`` may be empty (None in the account): the city's default language is used.
    """
    address = check_address(to)
    default, style = await city_context(session)
    mail = render(kind, language if language in LANGUAGES else default, context, style)
    session.add(_message(address, kind, language if language in LANGUAGES else default, mail, account_id))
    await session.flush()
    await wake_senders(session)


def _message(address: str, kind: str, language: str, mail: RenderedMail,
             account_id: uuid.UUID | None) -> OutboxMessage:
    return OutboxMessage(message_id=new_message_id(), account_id=account_id, to_address=address, kind=kind,
                         language=language, subject=mail.subject, body_text=mail.text, body_html=mail.html)


def rendered_for(kind: str, context: Mapping[str, Any], style: CityStyle) -> dict[str, RenderedMail]:
    """One rendering per language, for messages sent to many people at once."""
    return {language: render(kind, language, context, style) for language in LANGUAGES}
