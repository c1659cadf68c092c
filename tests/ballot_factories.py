"""Factories for the ballots tests: accepted proposals, open ballots, eligible voters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from ballots.models import Ballot, BallotProposal
from ballots.vote_models import BallotSecret
from tests.factories import make_account, unique
from voting.models import Neighbourhood
from voting.proposals.models import Category, Proposal

__all__ = ["make_category", "make_proposal", "make_open_ballot", "make_voter", "COSTS"]

COSTS = (40_000, 50_000, 30_000, 90_000)


async def make_category(session: AsyncSession) -> str:
    slug = unique("cat")
    session.add(Category(slug=slug, name_fr=slug, name_en=slug))
    await session.flush()
    return slug


async def make_proposal(session: AsyncSession, hood: Neighbourhood, proposer: Account, cost: int,
                        status: str = "accepted") -> Proposal:
    proposal = Proposal(title=unique("Projet"), summary="A green project", category=await make_category(session),
                        neighbourhood_id=hood.id or 0, estimated_cost=cost, proposer_id=proposer.id,
                        status=status, validated_cost=cost if status == "accepted" else None)
    session.add(proposal)
    await session.flush()
    return proposal


async def make_open_ballot(session: AsyncSession, hood: Neighbourhood, owner: Account, *,
                           costs: tuple[int, ...] = COSTS, **fields: Any) -> tuple[Ballot, list[int]]:
    """An open ballot of ``hood`` (budget 100 000) with one accepted proposal per cost."""
    now = datetime.now(UTC)
    values: dict[str, Any] = dict(title=unique("Ballot"), neighbourhood_id=hood.id, budget=100_000, status="open",
                                  opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1),
                                  created_by=owner.id)
    values.update(fields)
    ballot = Ballot(**values)
    session.add(ballot)
    await session.flush()
    ids = []
    for position, cost in enumerate(costs):
        proposal = await make_proposal(session, hood, owner, cost)
        session.add(BallotProposal(ballot_id=ballot.id or 0, proposal_id=proposal.id or 0, cost=cost,
                                   position=position))
        ids.append(proposal.id or 0)
    session.add(BallotSecret(ballot_id=ballot.id or 0, slot_key=b"k" * 32))
    await session.flush()
    return ballot, ids


async def make_voter(session: AsyncSession, hood: Neighbourhood | None, born: date = date(1990, 1, 1),
                     **kwargs: Any) -> Account:
    account = await make_account(session, **kwargs)
    account.neighbourhood_id = hood.id if hood else None
    account.birth_date = born
    session.add(account)
    await session.flush()
    return account
