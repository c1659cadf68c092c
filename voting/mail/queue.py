"""What operators do with the outbox: see what waits and what failed, and try failed mail again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from voting.audit.service import record
from voting.mail.service import wake_senders

__all__ = ["OutboxSummary", "Failure", "outbox_summary", "retry_mail", "FAILURES_SHOWN"]

FAILURES_SHOWN = 20


@dataclass(frozen=True)
class Failure:
    id: int
    to_address: str
    kind: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class OutboxSummary:
    pending: int = 0
    due: int = 0
    sent: int = 0
    failed: int = 0
    oldest_pending: datetime | None = None
    failures: list[Failure] = field(default_factory=list)
    """The most recent failures, newest first (at most ``FAILURES_SHOWN``)."""


async def outbox_summary(session: AsyncSession) -> OutboxSummary:
    counts: Any = (await session.exec(text(  # type: ignore[call-overload]
        "SELECT count(*) FILTER (WHERE status = 'pending'), "
        "count(*) FILTER (WHERE status = 'pending' AND next_attempt_at <= now()), "
        "count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'failed'), "
        "min(created_at) FILTER (WHERE status = 'pending') FROM mail_outbox"))).one()
    failures = (await session.exec(text(  # type: ignore[call-overload]
        "SELECT id, to_address, kind, attempts, last_error FROM mail_outbox WHERE status = 'failed' "
        "ORDER BY id DESC LIMIT :n").bindparams(n=FAILURES_SHOWN))).all()
    return OutboxSummary(counts[0], counts[1], counts[2], counts[3], counts[4],
                         [Failure(*failure) for failure in failures])


async def retry_mail(session: AsyncSession, *, actor: str, ids: Sequence[int] = ()) -> int:
    """Failed mail (all, or the given ids) goes back to the queue with its tries counted from zero, and mail
    waiting for a later try becomes due now: after fixing the SMTP settings, nothing waits for its back-off."""
    statement = ("UPDATE mail_outbox SET status = 'pending', attempts = CASE WHEN status = 'failed' THEN 0 "
                 "ELSE attempts END, next_attempt_at = now(), last_error = NULL "
                 "WHERE status IN ('pending', 'failed')")
    query = text(statement + (" AND id = ANY(:ids)" if ids else "") + " RETURNING id")
    rows = (await session.exec(query.bindparams(ids=list(ids)) if ids else query)).all()  # type: ignore[call-overload]
    retried = sorted(row[0] for row in rows)
    if retried:
        await record(session, actor=actor, action="mail.retried", subject="mail",
                     data={"count": len(retried), "ids": retried[:100]})
        await wake_senders(session)
    return len(retried)
