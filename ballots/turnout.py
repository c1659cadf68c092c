"""Turnout of a ballot: votes cast, share of those eligible, by channel and by age band at the close."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from ballots.eligibility import AGE_BANDS
from ballots.roll import roll_size
from ballots.service import load_ballot
from ballots.vote_models import Participation

__all__ = ["TurnoutFigures", "turnout"]


@dataclass(frozen=True)
class TurnoutFigures:
    ballot_id: int
    votes: int
    eligible: int | None
    share: float | None
    by_channel: dict[str, int]
    by_age_band: dict[str, int]


async def turnout(session: AsyncSession, ballot_id: int) -> TurnoutFigures:
    """The roll is the denominator when the ballot has one, else the accounts living in its area."""
    ballot = await load_ballot(session, ballot_id)
    rows = (await session.exec(select(Participation.channel, Participation.age_band, func.count())
                               .where(Participation.ballot_id == ballot_id)
                               .group_by(col(Participation.channel), col(Participation.age_band)))).all()
    by_channel = {"online": 0, "paper": 0}
    by_band = dict.fromkeys(AGE_BANDS, 0)
    for channel, band, count in rows:
        by_channel[channel] = by_channel.get(channel, 0) + count
        by_band[band] = by_band.get(band, 0) + count
    votes = sum(by_channel.values())
    if ballot.requires_roll:
        eligible: int | None = await roll_size(session, ballot_id)
    else:
        residents = select(func.count()).select_from(Account).where(col(Account.is_active))
        residents = residents.where(col(Account.neighbourhood_id).is_not(None) if ballot.neighbourhood_id is None
                                    else Account.neighbourhood_id == ballot.neighbourhood_id)
        eligible = int((await session.exec(residents)).one())
    share = round(votes / eligible, 4) if eligible else None
    return TurnoutFigures(ballot_id, votes, eligible, share, by_channel, by_band)
