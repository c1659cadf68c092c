"""Factories and HTTP helpers for the proposals tests: people in a neighbourhood, proposals, ballots, images."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account, ModeratorScope, RoleGrant
from auth.passwords import hash_password
from ballots.models import Ballot, BallotProposal
from tests.factories import PASSWORD, bearer, make_neighbourhood, unique
from voting.models import AuditEntry, Neighbourhood
from voting.proposals.models import Proposal

__all__ = ["PNG", "JPEG", "WEBP", "Cast", "make_cast", "auth", "proposal_body", "insert_proposal", "make_ballot",
           "audit_of", "counts", "ENGLISH", "quick_account"]

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND"
       b"\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
ENGLISH = {"Accept-Language": "en"}


@dataclass
class Cast:
    hood: Neighbourhood
    other_hood: Neighbourhood
    citizen: Account
    neighbour: Account
    moderator: Account
    other_moderator: Account
    admin: Account


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


async def quick_account(session: AsyncSession, role: str = "citizen", hoods: tuple[Neighbourhood, ...] = (), *,
                        home: Neighbourhood | None = None, email_confirmed: bool = True,
                        verified: bool = True) -> Account:
    """Like ``make_account`` but hashing the shared test password once per run (argon2 is slow on purpose).

    A confirmed, verified account by default, living in ``home`` (a resident whose supports count there)."""
    now = datetime.now(UTC)
    account = Account(email=f"{unique(role)}@example.org", display_name=unique(role.title()),
                      password_hash=_password_hash(), verified_at=now if verified else None,
                      verified_how="test" if verified else None, email_confirmed_at=now if email_confirmed else None,
                      neighbourhood_id=home.id if home else None)
    session.add(account)
    await session.flush()
    session.add(RoleGrant(account_id=account.id, role=role))
    for hood in hoods:
        session.add(ModeratorScope(account_id=account.id, neighbourhood_id=hood.id or 0))
    await session.flush()
    return account


async def make_cast(session: AsyncSession) -> Cast:
    hood, other = await make_neighbourhood(session), await make_neighbourhood(session)
    return Cast(hood, other, await quick_account(session, home=hood), await quick_account(session, home=hood),
                await quick_account(session, "moderator", (hood,)),
                await quick_account(session, "moderator", (other,)),
                await quick_account(session, "admin"))


async def auth(client: httpx.AsyncClient, account: Account) -> dict[str, str]:
    return {**await bearer(client, account.email), **ENGLISH}


def proposal_body(hood: Neighbourhood, **changes: Any) -> dict[str, Any]:
    return {"title": "Fruit trees on the square", "summary": "Twelve apple trees in planters.",
            "description": "Apple and pear trees.\n\nHarvested by neighbours.", "category": "fruit-trees",
            "neighbourhood_id": hood.id, "estimated_cost": 18_500, **changes}


async def insert_proposal(session: AsyncSession, hood: Neighbourhood, proposer: Account, *, status: str = "accepted",
                          cost: int = 10_000, title: str | None = None, **fields: Any) -> Proposal:
    """A proposal written straight to the table, for tests that start after the review."""
    proposal = Proposal(title=title or unique("Projet"), summary=fields.pop("summary", "A green project"),
                        description=fields.pop("description", ""), category=fields.pop("category", "garden"),
                        neighbourhood_id=hood.id or 0, estimated_cost=cost, proposer_id=proposer.id, status=status,
                        validated_cost=cost if status == "accepted" else None,
                        submitted_at=datetime.now(UTC) if status != "draft" else None, **fields)
    session.add(proposal)
    await session.flush()
    return proposal


async def make_ballot(session: AsyncSession, hood: Neighbourhood | None, *, status: str = "draft",
                      proposals: list[Proposal] = ()) -> Ballot:  # type: ignore[assignment]
    now = datetime.now(UTC)
    ballot = Ballot(title=unique("Ballot"), neighbourhood_id=hood.id if hood else None, budget=100_000,
                    status=status, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=30))
    if status == "cancelled" and hasattr(ballot, "cancel_reason"):
        ballot.cancel_reason = "Cancelled by the test."  # the ballots area requires a reason
    session.add(ballot)
    await session.flush()
    for position, proposal in enumerate(proposals):
        session.add(BallotProposal(ballot_id=ballot.id or 0, proposal_id=proposal.id or 0, position=position,
                                   cost=proposal.validated_cost or proposal.estimated_cost))
    await session.flush()
    return ballot


async def audit_of(session: AsyncSession, subject: str) -> list[AuditEntry]:
    rows = await session.exec(select(AuditEntry).where(AuditEntry.subject == subject).order_by(col(AuditEntry.seq)))
    return list(rows.all())


async def counts(session: AsyncSession) -> tuple[int, int]:
    """How many proposals and audit entries exist: refusals must leave both unchanged."""
    proposals = (await session.exec(select(func.count()).select_from(Proposal))).one()
    entries = (await session.exec(select(func.count()).select_from(AuditEntry))).one()
    return int(proposals), int(entries)
