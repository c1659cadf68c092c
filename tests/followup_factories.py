"""A published ballot whose result funds some proposals, for the follow-up tests (no tally needed)."""

from __future__ import annotations

import hashlib
import json

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from tests.proposal_factories import Cast, insert_proposal, make_ballot
from voting.followup.models import FundedProject
from voting.followup.service import open_funded_projects
from voting.results.models import BallotResult

__all__ = ["publish_with_funded"]


async def publish_with_funded(session: AsyncSession, cast: Cast, proposer: Account | None = None,
                              funded: int = 1, unfunded: int = 1) -> list[FundedProject]:
    """A published ballot of ``cast.hood`` with ``funded`` selected and ``unfunded`` other proposals."""
    proposals = [await insert_proposal(session, cast.hood, proposer or cast.citizen, latitude=45.77 + i / 100,
                                       longitude=3.08, title=f"Verger {i}") for i in range(funded + unfunded)]
    ballot = await make_ballot(session, cast.hood, status="published", proposals=proposals)
    document = {"selected": [str(p.id) for p in proposals[:funded]],
                "projects": [{"id": str(p.id), "cost": p.validated_cost} for p in proposals]}
    raw = json.dumps(document)
    session.add(BallotResult(ballot_id=ballot.id or 0, rule="greedy", tie_break="min-cost", input_digest="0" * 64,
                             document=raw, document_sha256=hashlib.sha256(raw.encode()).hexdigest()))
    await session.flush()
    await open_funded_projects(session, ballot.id or 0, document)
    from sqlmodel import col, select

    rows = await session.exec(select(FundedProject).where(FundedProject.ballot_id == ballot.id)
                              .order_by(col(FundedProject.id)))
    return list(rows.all())
