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

__all__ = ["make_category", "make_proposal", "make_open_ballot", "make_voter", "COSTS", "unhashed_account",
           "seed_committed_ballot"]

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


def unhashed_account(role: str, hood_id: int | None, now: datetime) -> Account:
    """A confirmed, verified account made without hashing a password: for tests that mint tokens (nobody logs in),
    where hundreds of argon2 hashes would be most of the test's time."""
    return Account(email=f"{unique(role)}@example.org", display_name=unique(role), password_hash="unused",
                   neighbourhood_id=hood_id, birth_date=date(1980, 1, 1), verified_at=now, verified_how="test",
                   email_confirmed_at=now)


async def seed_committed_ballot(url: str, voters: int) -> tuple[int, list[int], Account, list[Account]]:
    """An open ballot with its moderator and ``voters`` eligible citizens, committed in the database at ``url``
    (for tests that vote from many connections): returns the ballot id, its project ids, its moderator (also the
    neighbourhood's poll officer) and the voters."""
    from auth.models import ModeratorScope, PollOfficerScope, RoleGrant
    from tests.factories import make_neighbourhood
    from voting.database import make_engine, make_session_maker

    engine = make_engine(url, pool_size=1)
    now = datetime.now(UTC)
    async with make_session_maker(engine)() as session:
        hood = await make_neighbourhood(session)
        moderator = unhashed_account("moderator", None, now)
        citizens = [unhashed_account("citizen", hood.id, now) for _ in range(voters)]
        session.add_all([moderator, *citizens])
        await session.flush()
        session.add_all([RoleGrant(account_id=moderator.id, role="moderator"),
                         ModeratorScope(account_id=moderator.id, neighbourhood_id=hood.id or 0),
                         RoleGrant(account_id=moderator.id, role="poll_officer"),
                         PollOfficerScope(account_id=moderator.id, neighbourhood_id=hood.id or 0),
                         *[RoleGrant(account_id=citizen.id, role="citizen") for citizen in citizens]])
        ballot, ids = await make_open_ballot(session, hood, moderator)
        await session.commit()
    await engine.dispose()
    return ballot.id or 0, ids, moderator, citizens
