"""What the results issue counts: the current vote contents of a ballot, in no particular order."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots.vote_models import Vote

__all__ = ["current_votes"]


async def current_votes(session: AsyncSession, ballot_id: int) -> list[dict[str, Any]]:
    """Each voter's last vote (``{"projects": [...]}`` or ``{"points": {...}}``), ordered by slot, not by time."""
    rows = (await session.exec(select(Vote.content).where(Vote.ballot_id == ballot_id)
                               .order_by(col(Vote.slot)))).all()
    return [dict(content) for content in rows]
