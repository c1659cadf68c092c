"""The demo city has a proposal waiting for the demo moderator and a few supports, and seeding twice adds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from voting.demo import seed_demo
from voting.proposals.demo_seed import WAITING_FOR_REVIEW
from voting.proposals.models import Proposal, ProposalSupport

pytestmark = pytest.mark.anyio


async def test_demo_proposals(db_session):
    await seed_demo(db_session)
    waiting = (await db_session.exec(select(Proposal).where(Proposal.title == WAITING_FOR_REVIEW[2]))).one()
    assert waiting.status == "submitted"
    supports = (await db_session.exec(select(func.count()).select_from(ProposalSupport))).one()
    assert supports == 3
    await seed_demo(db_session)
    assert (await db_session.exec(select(func.count()).select_from(ProposalSupport))).one() == 3
    assert len((await db_session.exec(select(Proposal).where(Proposal.title == WAITING_FOR_REVIEW[2]))).all()) == 1
