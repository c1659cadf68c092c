"""Appending to the audit log inside the caller's transaction, and reading it back for verification."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from voting.audit.chain import GENESIS_HASH, ChainBreak, ChainEntry, check_data, entry_hash, verify_chain
from voting.models import AuditEntry

__all__ = ["record", "verify_log", "AUDIT_LOCK"]

AUDIT_LOCK = 0x67620A0D17  # pg_advisory_xact_lock key: one appender at a time, released at commit


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    subject: str,
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction; it commits or rolls back with the change it records."""
    payload = dict(data or {})
    check_data(payload)
    await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=AUDIT_LOCK))  # type: ignore[call-overload]
    head = (
        await session.exec(select(AuditEntry.seq, AuditEntry.hash).order_by(col(AuditEntry.seq).desc()).limit(1))
    ).first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    at = datetime.now(UTC)
    link = ChainEntry(seq=seq, at=at, actor=actor, action=action, subject=subject, data=payload, prev_hash=prev)
    entry = AuditEntry(seq=seq, at=at, actor=actor, action=action, subject=subject, data=payload, prev_hash=prev,
                       hash=entry_hash(link))
    session.add(entry)
    await session.flush()
    return entry


async def verify_log(session: AsyncSession, batch: int = 5000) -> tuple[int, ChainBreak | None]:
    """Recompute the whole chain in stored (physical) order of sequence numbers, batch by batch."""
    count, prev_hash, next_seq, last_seen = 0, GENESIS_HASH, 1, 0
    while True:
        rows = (
            await session.exec(
                select(AuditEntry).where(col(AuditEntry.seq) > last_seen).order_by(col(AuditEntry.seq)).limit(batch)
            )
        ).all()
        if not rows:
            return count, None
        links = [
            ChainEntry(r.seq, r.at, r.actor, r.action, r.subject, r.data, r.prev_hash, r.hash) for r in rows
        ]
        good, broken = verify_chain(links, start_seq=next_seq, start_hash=prev_hash)
        count += good
        if broken:
            return count, broken
        last_seen = next_seq = rows[-1].seq
        next_seq += 1
        prev_hash = rows[-1].hash
