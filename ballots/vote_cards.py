"""The vote screen's project cards: each ballot project with its summary, neighbourhood, description and photo."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots.models import BallotProposal
from voting.models import Neighbourhood
from voting.proposals.models import Proposal, ProposalPhoto
from voting.proposals.rendering import render_description

__all__ = ["VoteCard", "vote_cards"]


@dataclass(frozen=True)
class VoteCard:
    proposal_id: int
    title: str
    summary: str
    cost: int
    neighbourhood_fr: str
    neighbourhood_en: str
    description_html: str
    has_photo: bool

    def neighbourhood(self, language: str) -> str:
        return self.neighbourhood_fr if language == "fr" else self.neighbourhood_en or self.neighbourhood_fr


async def vote_cards(session: AsyncSession, ballot_id: int) -> list[VoteCard]:
    """The ballot's projects in their ballot order, in one query (the photo itself is fetched by the browser)."""
    rows = (await session.exec(
        select(BallotProposal.proposal_id, Proposal.title, Proposal.summary, BallotProposal.cost,  # type: ignore[call-overload]
               Neighbourhood.name_fr, Neighbourhood.name_en, Proposal.description,
               col(ProposalPhoto.proposal_id).is_not(None))
        .join(Proposal, col(Proposal.id) == col(BallotProposal.proposal_id))
        .join(Neighbourhood, col(Neighbourhood.id) == col(Proposal.neighbourhood_id))
        .outerjoin(ProposalPhoto, col(ProposalPhoto.proposal_id) == col(Proposal.id))
        .where(col(BallotProposal.ballot_id) == ballot_id)
        .order_by(col(BallotProposal.position), col(Proposal.id)))).all()
    return [VoteCard(pid, title, summary, int(cost), fr, en or fr, render_description(description or ""), bool(photo))
            for pid, title, summary, cost, fr, en, description, photo in rows]
