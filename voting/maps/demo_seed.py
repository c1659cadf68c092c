"""The demo city on the map: rough boundaries for its neighbourhoods and a place for each proposal, so the maps
show something without base tiles (the boundaries are the base layer). Idempotent: only what is missing."""

from __future__ import annotations

import hashlib

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from voting.admin.neighbourhoods import update_neighbourhood
from voting.models import Neighbourhood
from voting.proposals.models import Proposal

__all__ = ["seed_map_demo", "DEMO_BOXES"]

DEMO_BOXES = {  # south, west, north, east: rough boxes around the real neighbourhoods of Clermont-Ferrand
    "centre-jaude": (45.770, 3.074, 45.784, 3.094),
    "saint-jacques": (45.756, 3.082, 45.770, 3.100),
    "montferrand": (45.786, 3.104, 45.800, 3.124),
    "croix-de-neyrat": (45.800, 3.090, 45.812, 3.110),
    "les-vergnes": (45.812, 3.100, 45.824, 3.122),
}


def _polygon(box: tuple[float, float, float, float]) -> dict[str, object]:
    south, west, north, east = box
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


def _inside(box: tuple[float, float, float, float], key: str) -> tuple[float, float]:
    """A fixed point inside the box for ``key`` (the same at every run)."""
    digest = hashlib.sha256(key.encode()).digest()
    south, west, north, east = box
    lat = south + (north - south) * (0.15 + 0.7 * digest[0] / 255)
    lon = west + (east - west) * (0.15 + 0.7 * digest[1] / 255)
    return round(lat, 6), round(lon, 6)


async def seed_map_demo(session: AsyncSession) -> None:
    hoods = (await session.exec(select(Neighbourhood).where(col(Neighbourhood.slug).in_(list(DEMO_BOXES))))).all()
    for hood in hoods:
        if hood.boundary is None:
            await update_neighbourhood(session, actor="demo", slug=hood.slug, boundary=_polygon(DEMO_BOXES[hood.slug]))
    boxes = {hood.id: DEMO_BOXES[hood.slug] for hood in hoods}
    unplaced = (await session.exec(select(Proposal).where(col(Proposal.latitude).is_(None),
                                                          col(Proposal.neighbourhood_id).in_(list(boxes))))).all()
    for proposal in unplaced:
        proposal.latitude, proposal.longitude = _inside(boxes[proposal.neighbourhood_id], proposal.title)
        session.add(proposal)
    await session.flush()
