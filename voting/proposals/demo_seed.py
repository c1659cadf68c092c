"""The proposals part of the demo city: one proposal waiting for review and a few supports."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from voting.audit.service import record
from voting.proposals.models import Proposal, ProposalSupport

__all__ = ["WAITING_FOR_REVIEW", "seed_proposal_demo"]

WAITING_FOR_REVIEW = (
    "montferrand", "garden", "Jardin de pluie du square Kléber",
    "Un jardin de pluie qui recueille l'eau des toits du square et arrose les massifs plantés.",
    "Les toits du square débordent à chaque orage.\n\nUn jardin de pluie recueille l'eau et arrose les massifs. "
    "Exemple : https://fr.wikipedia.org/wiki/Jardin_de_pluie", 12800,
)


async def seed_proposal_demo(session: AsyncSession, hoods: dict[str, int], citizen: Account) -> int:
    """Add what is missing (idempotent); returns how many rows were created."""
    slug, category, title, summary, description, cost = WAITING_FOR_REVIEW
    created = 0
    if (await session.exec(select(Proposal.id).where(Proposal.title == title))).first() is None:
        proposal = Proposal(title=title, summary=summary, description=description, category=category,
                            neighbourhood_id=hoods[slug], estimated_cost=cost, proposer_id=citizen.id,
                            status="submitted", submitted_at=datetime.now(UTC))
        session.add(proposal)
        await session.flush()
        await record(session, actor="demo", action="proposal.submitted", subject=f"proposal:{proposal.id}",
                     data={"from": "draft", "to": "submitted"})
        created += 1
    supported = (await session.exec(
        select(Proposal.id).where(Proposal.neighbourhood_id == hoods[slug], Proposal.status == "accepted")
        .order_by(col(Proposal.id)).limit(3))).all()
    for proposal_id in supported:
        added = await session.exec(  # type: ignore[call-overload]
            insert(ProposalSupport).values(proposal_id=proposal_id, account_id=citizen.id)
            .on_conflict_do_nothing().returning(col(ProposalSupport.proposal_id)))
        if added.first() is not None:
            await record(session, actor=f"account:{citizen.id}", action="proposal.supported",
                         subject=f"proposal:{proposal_id}")
            created += 1
    return created
