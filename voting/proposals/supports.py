"""Residents' supports for accepted proposals: one each, in the supports window, by verified residents; audited."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from voting.audit.service import record
from voting.calendar.rules import window_refusal
from voting.calendar.service import phase_window
from voting.i18n import gettext as _
from voting.presentation import format_moment
from voting.proposals.errors import ProposalConflict, ProposalForbidden
from voting.proposals.models import Proposal, ProposalSupport
from voting.proposals.queries import supports_of
from voting.proposals.service import actor_of, load_visible
from voting.proposals.support_rules import Supporter, supporter_refusal

__all__ = ["support_proposal", "remove_support", "ensure_supports_open"]


async def ensure_supports_open(session: AsyncSession, proposal: Proposal, now: datetime | None = None) -> None:
    """409 outside the supports window of the proposal's neighbourhood (its own, else the city's); no calendar
    at all leaves supports open."""
    window = await phase_window(session, "supports", proposal.neighbourhood_id)
    refusal = window_refusal(window, now or datetime.now(UTC))
    if window is not None and refusal == "not_yet":
        raise ProposalConflict(_("Supports for this neighbourhood open on {start}.").format(
            start=format_moment(window.starts_at)))
    if window is not None and refusal == "over":
        raise ProposalConflict(_("Supports for this neighbourhood closed on {end}.").format(
            end=format_moment(window.ends_at)))


async def support_proposal(session: AsyncSession, principal: Principal, proposal_id: int) -> tuple[int, bool]:
    """Add the principal's support (again is harmless): an accepted proposal, in the supports window, by a
    confirmed and verified resident of its neighbourhood."""
    proposal = await load_visible(session, proposal_id, principal)
    if proposal.status != "accepted":
        raise ProposalConflict(_("Only accepted proposals can be supported."))
    refused = supporter_refusal(Supporter(principal.email_confirmed, principal.verified, principal.neighbourhood_id),
                                proposal.neighbourhood_id)
    if refused:
        raise ProposalForbidden(refused[1], extra=[{"code": refused[0], "message": refused[1]}])
    await ensure_supports_open(session, proposal)
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
    """Take the principal's support back (nothing happens when there was none); not once the window closed,
    when the counts are what the shortlist is built from."""
    proposal = await load_visible(session, proposal_id, principal)
    await ensure_supports_open(session, proposal)
    removed = await session.exec(  # type: ignore[call-overload]
        delete(ProposalSupport).where(col(ProposalSupport.proposal_id) == proposal_id,
                                      col(ProposalSupport.account_id) == principal.id)
        .returning(col(ProposalSupport.proposal_id))
    )
    if removed.first() is not None:
        await record(session, actor=actor_of(principal), action="proposal.support_removed",
                     subject=f"proposal:{proposal_id}")
    return await supports_of(session, proposal_id, principal)
