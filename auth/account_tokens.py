"""Single-use tokens mailed to an account: issued with an expiry and a purpose, used at most once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import text, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import AccountToken
from auth.rules import TOKEN_LIFETIMES, new_token, token_hash

__all__ = ["issue_token_for", "use_token"]

USE = text("""
UPDATE account_token SET used_at = :now
 WHERE token_hash = :hash AND purpose = :purpose AND used_at IS NULL AND expires_at > :now
RETURNING account_id
""")


async def issue_token_for(session: AsyncSession, account_id: uuid.UUID, purpose: str,
                          now: datetime | None = None) -> str:
    """A new token for ``purpose``; earlier unused ones of the same purpose stop working."""
    now = now or datetime.now(UTC)
    await session.exec(update(AccountToken).where(  # type: ignore[call-overload]
        col(AccountToken.account_id) == account_id, col(AccountToken.purpose) == purpose,
        col(AccountToken.used_at).is_(None)).values(used_at=now))
    token, hashed = new_token()
    session.add(AccountToken(token_hash=hashed, account_id=account_id, purpose=purpose, created_at=now,
                             expires_at=now + TOKEN_LIFETIMES[purpose]))
    await session.flush()
    return token


async def use_token(session: AsyncSession, token: str, purpose: str, now: datetime | None = None) -> uuid.UUID | None:
    """The account the token was issued to, marking it used; None if unknown, used, expired or for another
    purpose. One atomic UPDATE: two requests racing with the same token cannot both succeed."""
    if not token or len(token) > 200:
        return None
    row = (await session.exec(USE, params={"now": now or datetime.now(UTC), "hash": token_hash(token),  # type: ignore[call-overload]
                                           "purpose": purpose})).first()
    return row[0] if row else None
