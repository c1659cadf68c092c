"""Read-only views of the city: neighbourhoods, ballots that are open now, and the latest published results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots.models import Ballot
from voting.models import Neighbourhood
from voting.reference import detached, reference

__all__ = ["HomeOverview", "home_overview", "list_neighbourhoods", "current_neighbourhoods"]


@dataclass(frozen=True)
class HomeOverview:
    neighbourhoods: list[Neighbourhood]
    open_ballots: list[Ballot]
    published: list[Ballot] = field(default_factory=list)


async def list_neighbourhoods(session: AsyncSession, include_retired: bool = False) -> list[Neighbourhood]:
    query = select(Neighbourhood).order_by(col(Neighbourhood.name_fr))
    if not include_retired:
        query = query.where(col(Neighbourhood.retired_at).is_(None))
    return list((await session.exec(query)).all())


async def current_neighbourhoods(session: AsyncSession) -> list[Neighbourhood]:
    """The neighbourhoods not retired, from this worker's reference cache (cleared when one changes)."""
    async def load() -> list[Neighbourhood]:
        return detached(session, await list_neighbourhoods(session))

    return await reference.get_or_load("neighbourhoods", load)


async def home_overview(session: AsyncSession, now: datetime | None = None, latest: int = 5) -> HomeOverview:
    now = now or datetime.now(UTC)
    ballots = (await session.exec(
        select(Ballot).where(Ballot.status == "open", col(Ballot.opens_at) <= now, col(Ballot.closes_at) > now)
        .order_by(col(Ballot.closes_at))
    )).all()
    published = (await session.exec(
        select(Ballot).where(Ballot.status == "published").order_by(col(Ballot.closes_at).desc()).limit(latest)
    )).all()
    return HomeOverview(await current_neighbourhoods(session), list(ballots), list(published))
