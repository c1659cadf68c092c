"""Read-only views of the city: neighbourhoods, ballots that are open now, and the latest published results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from ballots.models import Ballot
from voting.models import Neighbourhood
from voting.reference import detached, reference

__all__ = ["HomeOverview", "home_overview", "home_calendar", "list_neighbourhoods", "current_neighbourhoods"]


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
    """Open and latest published ballots and the neighbourhoods. The ballot lists come from the worker's reference
    cache (cleared when a ballot changes); which open ballot runs now is decided at each request."""
    now = now or datetime.now(UTC)

    async def load() -> tuple[list[Ballot], list[Ballot]]:
        running = (await session.exec(
            select(Ballot).where(Ballot.status == "open").order_by(col(Ballot.closes_at)))).all()
        published = (await session.exec(
            select(Ballot).where(Ballot.status == "published").order_by(col(Ballot.closes_at).desc()).limit(latest)
        )).all()
        return detached(session, list(running)), detached(session, list(published))

    running, published = await reference.get_or_load(("home-ballots", latest), load)
    open_now = [ballot for ballot in running if ballot.opens_at <= now < ballot.closes_at]
    return HomeOverview(await current_neighbourhoods(session), open_now, list(published))


async def home_calendar(session: AsyncSession, viewer: Principal | None) -> dict[str, Any]:
    """The home page's timeline (the resident's neighbourhood's phases, else the city's), its phases from the
    worker's reference cache (cleared when a calendar is set), each phase's state decided now."""
    from voting.calendar.rules import phase_label, timeline
    from voting.calendar.service import load_phases

    hood = viewer.neighbourhood_id if viewer is not None else None

    async def load() -> list[Any]:
        return await load_phases(session, hood)

    phases = await reference.get_or_load(("phases", hood), load)
    return {"calendar": timeline(phases, hood, datetime.now(UTC)), "calendar_hood": hood, "phase_label": phase_label}
