"""The demo city's calendar: proposals, supports and review behind it, its open ballot's vote now, results next."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots.models import Ballot
from voting.audit.service import record
from voting.calendar.models import ProcessPhase
from voting.calendar.rules import PHASES

__all__ = ["seed_calendar_demo"]


async def seed_calendar_demo(session: AsyncSession, ballot: Ballot) -> int:
    """The city's five phases around the open ballot's dates, unless a calendar exists (an admin's edits stay)."""
    if (await session.exec(select(func.count()).select_from(ProcessPhase))).one():
        return 0
    opens, closes = ballot.opens_at, ballot.closes_at
    dates = {"proposals": (opens - timedelta(days=120), opens - timedelta(days=60)),
             "supports": (opens - timedelta(days=60), opens - timedelta(days=30)),
             "review": (opens - timedelta(days=30), opens),
             "vote": (opens, closes),
             "results": (closes, closes + timedelta(days=60))}
    for phase in PHASES:
        session.add(ProcessPhase(neighbourhood_id=None, phase=phase, starts_at=dates[phase][0],
                                 ends_at=dates[phase][1]))
    await session.flush()
    await record(session, actor="demo", action="calendar.set", subject="calendar:city",
                 data={"neighbourhood_id": None, "phases": [{"phase": p, "starts_at": dates[p][0].isoformat(),
                                                             "ends_at": dates[p][1].isoformat()} for p in PHASES]})
    return len(PHASES)
