"""Deliver what is due in the outbox: claim with SKIP LOCKED, send, mark sent or schedule the next try."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from voting.config import Settings, load_settings
from voting.mail.models import OutboxMessage
from voting.mail.rules import SINGLE_USE_LINK_KINDS, WIPED, next_attempt, one_line, parse_smtp_url
from voting.mail.transport import DevMailbox, Refused, SMTPTransport, SMTPUnavailable, Transport, build_message

__all__ = ["SendReport", "send_due", "transport_for", "BATCH"]

BATCH = 20
"""Messages claimed per transaction: their rows stay locked (SKIP LOCKED for other senders) until it commits."""


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retrying: int = 0


def transport_for(settings: Settings) -> Transport | None:
    """SMTP when ``GREENBALLOT_SMTP_URL`` is set; the local mailbox in the demo; otherwise none (mail waits)."""
    if settings.smtp_url:
        return SMTPTransport(parse_smtp_url(settings.smtp_url))
    if settings.demo:
        return DevMailbox()
    return None


async def send_due(session_maker: Any, transport: Transport, sender: str, *, limit: int | None = None) -> SendReport:
    """Send every message due now (at most ``limit``), one batch per transaction, over one connection.

    Each batch is claimed with ``FOR UPDATE SKIP LOCKED``: a second sender (another worker, the command line)
    skips rows being sent and never sends one twice. A row is marked sent in the same transaction that claimed
    it; a crash before that commit leaves it pending, so it is sent again (with the same Message-ID) rather than
    lost. ``SMTPUnavailable`` is raised after committing what was already sent.
    """
    report = SendReport()
    opened, public_url = False, load_settings().public_url
    try:
        while limit is None or report.sent + report.failed + report.retrying < limit:
            size = BATCH if limit is None else min(BATCH, limit - report.sent - report.failed - report.retrying)
            async with session_maker() as session:
                rows = (await session.exec(
                    select(OutboxMessage)
                    .where(OutboxMessage.status == "pending", col(OutboxMessage.next_attempt_at) <= func.now())
                    .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
                    .limit(size).with_for_update(skip_locked=True)
                )).all()
                if not rows:
                    await session.commit()
                    break
                try:
                    if not opened:
                        await transport.open()
                        opened = True
                    for row in rows:
                        await _deliver(transport, row, sender, public_url, report)
                        session.add(row)
                finally:
                    await session.commit()
    finally:
        if opened:
            await transport.close()
    return report


async def _deliver(transport: Transport, row: OutboxMessage, sender: str, public_url: str,
                   report: SendReport) -> None:
    now = datetime.now(UTC)
    try:
        try:
            message = build_message(row, sender, public_url)
        except (ValueError, TypeError) as error:  # a header the mail library refuses: no server would take it
            raise Refused(f"cannot be written as a mail: {one_line(str(error), 200)}", None, permanent=True) from error
        await transport.send(message)
    except Refused as error:
        row.attempts += 1
        row.last_error = one_line(str(error), 500)
        row.status, when = next_attempt(row.attempts, now, permanent=error.permanent)
        if when is not None:
            row.next_attempt_at = when
            report.retrying += 1
        else:
            report.failed += 1
        return
    except SMTPUnavailable:
        raise
    row.attempts += 1
    row.status, row.sent_at, row.last_error = "sent", now, None
    if row.kind in SINGLE_USE_LINK_KINDS and not transport.keeps_copies:
        row.body_text = row.body_html = WIPED
    report.sent += 1
