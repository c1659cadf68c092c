"""Use cases over a ballot's vote log: a signed checkpoint on demand, and the latest one."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from ballots.checkpoints import latest_checkpoint, make_checkpoint
from ballots.errors import BallotNotFound
from ballots.service import actor_of, close_if_due, database_now, ensure_manager, load_ballot
from ballots.vote_models import VoteCheckpoint
from voting.i18n import gettext as _

__all__ = ["checkpoint_ballot", "current_checkpoint"]


async def checkpoint_ballot(session: AsyncSession, principal: Principal, ballot_id: int,
                            key_secret: str | None = None) -> VoteCheckpoint:
    """A checkpoint on demand, by a manager of the ballot or an auditor.

    After the closing time of a ballot nobody closed yet, this is the close by deadline and its checkpoint.
    """
    ballot = await load_ballot(session, ballot_id)
    if not principal.roles & {"auditor", "admin"}:
        ensure_manager(principal, ballot)
    now = await database_now(session)
    if ballot.status == "open" and now >= ballot.closes_at:
        if await close_if_due(session, await load_ballot(session, ballot_id, lock=True), now, key_secret=key_secret):
            return await current_checkpoint(session, ballot_id)
    return await make_checkpoint(session, ballot_id, actor=actor_of(principal), key_secret=key_secret)


async def current_checkpoint(session: AsyncSession, ballot_id: int) -> VoteCheckpoint:
    await load_ballot(session, ballot_id)
    found = await latest_checkpoint(session, ballot_id)
    if found is None:
        raise BallotNotFound(_("This ballot has no checkpoint yet."))
    return found
