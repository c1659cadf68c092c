"""Rotating a key, audited: the new key signs from now on, the old one is retired (private half destroyed)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.keys import create_key, current_key
from voting.audit.service import record
from voting.domain import DomainError
from voting.models import KEY_PURPOSES, SigningKey

__all__ = ["rotate_key", "MAX_GRACE"]

MAX_GRACE = timedelta(days=7)


async def rotate_key(session: AsyncSession, *, purpose: str, actor: str, secret: str | None = None,
                     grace: timedelta = timedelta(0)) -> SigningKey:
    """A new current key for ``purpose``. Tokens signed by the old key keep working for ``grace``, then fail;
    signatures of exports and checkpoints by the old key stay verifiable (its public half stays published)."""
    if purpose not in KEY_PURPOSES:
        raise DomainError(f"unknown key purpose {purpose!r} (tokens or signing)")
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise DomainError(f"the grace period must be between 0 and {int(MAX_GRACE.total_seconds())} seconds")
    previous = await current_key(session, purpose)
    row = await create_key(session, purpose, secret, grace)
    await record(session, actor=actor, action="key.rotated", subject=f"key:{row.kid}",
                 data={"purpose": purpose, "previous": previous.kid if previous else None,
                       "grace_seconds": int(grace.total_seconds()) if purpose == "tokens" else None,
                       "encrypted": row.encrypted})
    return row
