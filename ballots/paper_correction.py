"""A moderator corrects a mistyped paper vote before the close, with a reason; audited (who, which ballot, why,
never the vote)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from ballots.casting import CastReceipt, check_and_record, load_for_vote
from ballots.service import ensure_manager, load_ballot
from ballots.voters import paper_identity
from voting.audit.service import record

__all__ = ["correct_paper_vote"]


async def correct_paper_vote(session: AsyncSession, moderator: Principal, ballot_id: int, voter: str,
                             choice: dict[str, Any], reason: str, now: datetime | None = None) -> CastReceipt:
    """Replace the paper vote entered for ``voter`` (a 409 when there is none, or once voting closed); the
    ballot's moderators and admins only. The new receipt is for the voter."""
    ensure_manager(moderator, await load_ballot(session, ballot_id))
    loaded = await load_for_vote(session, ballot_id)
    identity = await paper_identity(session, loaded.ballot, voter)
    receipt = await check_and_record(session, identity, choice, loaded, channel="paper", now=now, correction=True)
    await record(session, actor=f"account:{moderator.id}", action="ballot.paper_vote_corrected",
                 subject=f"ballot:{ballot_id}", data={"moderator": str(moderator.id), "ballot": ballot_id,
                                                      "reason": reason.strip()})
    return receipt
