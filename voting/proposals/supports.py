"""Citizens' supports for accepted proposals: one each, removable, audited."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from voting.audit.service import record
from voting.i18n import gettext as _
from voting.proposals.errors import ProposalConflict
from voting.proposals.models import ProposalSupport
from voting.proposals.queries import supports_of
from voting.proposals.service import actor_of, load_visible

__all__ = ["support_proposal", "remove_support"]


async def support_proposal(session: AsyncSession, principal: Principal, proposal_id: int) -> tuple[int, bool]:
    """Add the principal's support (again is harmless); only accepted proposals can be supported."""
    proposal = await load_visible(session, proposal_id, principal)
    if proposal.status != "accepted":
        raise ProposalConflict(_("Only accepted proposals can be supported."))
    added = await session.exec(  # type: ignore[call-overload]
        insert(ProposalSupport).values(proposal_id=proposal_id, account_id=principal.id)
        .on_conflict_do_nothing(index_elements=["proposal_id", "account_id"])
        .returning(col(ProposalSupport.proposal_id))
    )
    if added.first() is not None:
        await record(session, actor=actor_of(principal), action="proposal.supported",
                     subject=f"proposal:{proposal_id}")
    return await supports_of(session, proposal_id, principal)


async def remove_support(session: AsyncSession, principal: Principal, proposal_id: int) -> tuple[int, bool]:
    """Take the principal's support back (nothing happens when there was none)."""
    await load_visible(session, proposal_id, principal)
    removed = await session.exec(  # type: ignore[call-overload]
        delete(ProposalSupport).where(col(ProposalSupport.proposal_id) == proposal_id,
                                      col(ProposalSupport.account_id) == principal.id)
        .returning(col(ProposalSupport.proposal_id))
    )
    if removed.first() is not None:
        await record(session, actor=actor_of(principal), action="proposal.support_removed",
                     subject=f"proposal:{proposal_id}")
    return await supports_of(session, proposal_id, principal)
