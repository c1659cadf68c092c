"""Volunteers hear of their project's updates by e-mail: one outbox row each, written in the update's
transaction (rolled back, no mail), rendered once per language."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from voting.config import load_settings
from voting.mail.service import city_context, public_link, rendered_for, wake_senders

__all__ = ["notify_volunteers"]

_TO_VOLUNTEERS = """
INSERT INTO mail_outbox (message_id, account_id, to_address, kind, language, subject, body_text, body_html)
SELECT '<' || replace(CAST(gen_random_uuid() AS text), '-', '') || '@' || :host || '>', a.id, a.email,
       'project_update', :language, :subject, :body_text, :body_html
FROM project_volunteer AS v JOIN account AS a ON a.id = v.account_id
WHERE v.project_id = :project_id AND a.is_active AND a.email_confirmed_at IS NOT NULL
  AND coalesce(a.language, :default_language) = :language
"""


async def notify_volunteers(session: AsyncSession, project_id: int, title: str, news: dict[str, Any]) -> int:
    """Mail the project's volunteers ``news`` (``headline``, ``text``, optional ``day``); returns how many."""
    context = {"title": title, **news, "link": public_link(f"/building/{project_id}")}
    default_language, style = await city_context(session)
    host = urlsplit(load_settings().public_url).hostname or "localhost"
    count = 0
    for language, mail in rendered_for("project_update", context, style).items():
        result: Any = await session.exec(text(_TO_VOLUNTEERS).bindparams(  # type: ignore[call-overload]
            host=host, language=language, subject=mail.subject, body_text=mail.text, body_html=mail.html,
            default_language=default_language, project_id=project_id))
        count += result.rowcount or 0
    if count:
        await wake_senders(session)
    return count
