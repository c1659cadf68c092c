"""Appending to the audit log inside the caller's transaction, and reading it back for verification."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from voting.audit.chain import (
    GENESIS_HASH,
    ChainBreak,
    ChainEntry,
    check_data,
    entry_hash,
    format_time,
    verify_chain,
)
from voting.audit.checkpoints import (
    Checkpoint,
    CheckpointError,
    checkpoint_due,
    sign_checkpoint,
    verify_signature,
)
from voting.models import AuditCheckpoint, AuditEntry

__all__ = ["record", "verify_log", "make_checkpoint", "verify_checkpoints", "list_entries", "list_checkpoints",
           "AUDIT_LOCK", "CHECKPOINT_EVERY"]

AUDIT_LOCK = 0x67620A0D17  # pg_advisory_xact_lock key: one appender at a time, released at commit
CHECKPOINT_EVERY = int(os.environ.get("GREENBALLOT_CHECKPOINT_EVERY", "100"))


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
    if checkpoint_due(seq, action, CHECKPOINT_EVERY):
        await make_checkpoint(session, entry)
    return entry


async def make_checkpoint(session: AsyncSession, head: AuditEntry | None = None) -> Checkpoint:
    """Sign the log's head (the given entry, or the latest) with the current ``signing`` key and store it."""
    from auth.keys import ensure_key, private_key_of

    if head is None:
        head = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc()).limit(1))).first()
        if head is None:
            raise ValueError("the audit log is empty: nothing to checkpoint")
    existing = await session.get(AuditCheckpoint, head.seq)
    if existing is not None:
        return Checkpoint(existing.seq, existing.head_hash, existing.at, existing.kid, existing.signature)
    key = await ensure_key(session, "signing")  # encrypted under the key-encryption secret auth.keys holds
    unsigned = Checkpoint(seq=head.seq, head_hash=head.hash, at=format_time(datetime.now(UTC)), kid=key.kid)
    signed = sign_checkpoint(unsigned, private_key_of(key))
    session.add(AuditCheckpoint(seq=signed.seq, head_hash=signed.head_hash, at=signed.at, kid=signed.kid,
                                signature=signed.signature))
    await session.flush()
    return signed


async def verify_checkpoints(session: AsyncSession, saved: Checkpoint | None = None) -> list[str]:
    """Problems with the stored checkpoints (and with one an auditor saved earlier): bad signature, or a log
    that no longer has, at the checkpoint's sequence number, the head hash the checkpoint signed."""
    from auth.keys import load_public_keys

    keys = await load_public_keys(session, "signing")
    rows = (await session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.seq)))).all()
    checkpoints = [Checkpoint(r.seq, r.head_hash, r.at, r.kid, r.signature) for r in rows]
    problems: list[str] = []
    for checkpoint in checkpoints + ([saved] if saved else []):
        label = "saved checkpoint" if checkpoint is saved else "checkpoint"
        try:
            verify_signature(checkpoint, keys)
        except CheckpointError as error:
            problems.append(f"{label} {checkpoint.seq}: {error}")
            continue
        entry = await session.get(AuditEntry, checkpoint.seq)
        if entry is None:
            problems.append(f"{label} {checkpoint.seq}: the log no longer has entry {checkpoint.seq}")
        elif entry.hash != checkpoint.head_hash:
            problems.append(f"{label} {checkpoint.seq}: entry {checkpoint.seq} is not the one signed "
                            f"(history was rewritten)")
    return problems


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


async def list_entries(session: AsyncSession, *, action: str = "", actor: str = "", page: int = 1,
                       per_page: int = 50) -> tuple[list[AuditEntry], int]:
    """Newest first, filtered by action (prefix) and actor (exact), one page at a time; and the total."""
    from sqlalchemy import func

    query = select(AuditEntry)
    counter = select(func.count()).select_from(AuditEntry)
    if action:
        query = query.where(col(AuditEntry.action).startswith(action))
        counter = counter.where(col(AuditEntry.action).startswith(action))
    if actor:
        query = query.where(AuditEntry.actor == actor)
        counter = counter.where(AuditEntry.actor == actor)
    page, per_page = max(page, 1), min(max(per_page, 1), 200)
    rows = (await session.exec(query.order_by(col(AuditEntry.seq).desc()).offset((page - 1) * per_page)
                               .limit(per_page))).all()
    return list(rows), (await session.exec(counter)).one()


async def list_checkpoints(session: AsyncSession, limit: int = 100) -> list[AuditCheckpoint]:
    return list((await session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.seq).desc())
                                    .limit(limit))).all())
