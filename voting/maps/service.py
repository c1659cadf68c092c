"""What the maps show: public proposals with coordinates (filtered) and neighbourhood boundaries, as GeoJSON."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots.models import Ballot, BallotProposal
from voting.city import list_neighbourhoods
from voting.i18n import current_language
from voting.maps.rules import MapInputError, boundary_feature, feature_collection, point_feature
from voting.proposals.models import Proposal
from voting.proposals.queries import PUBLIC_STATES

__all__ = ["proposals_geojson", "boundaries_geojson", "MAX_POINTS"]

MAX_POINTS = 2000


async def proposals_geojson(session: AsyncSession, *, status: str | None = None, category: str | None = None,
                            neighbourhood_id: int | None = None, ballot_id: int | None = None) -> dict[str, Any]:
    """Public proposals that have coordinates (never drafts); on a ballot only once it is no longer a draft."""
    from voting.i18n import gettext as _

    if status and status not in PUBLIC_STATES:
        raise MapInputError(_("Unknown proposal state {state}.").format(state=status))
    query = (select(Proposal.id, Proposal.title, Proposal.status, Proposal.latitude,  # type: ignore[call-overload,misc]
                    Proposal.longitude, Proposal.neighbourhood_id, Proposal.category)
             .where(col(Proposal.status).in_(PUBLIC_STATES), col(Proposal.latitude).is_not(None),
                    col(Proposal.longitude).is_not(None))
             .order_by(col(Proposal.id)).limit(MAX_POINTS))
    if status:
        query = query.where(col(Proposal.status) == status)
    if category:
        query = query.where(col(Proposal.category) == category)
    if neighbourhood_id is not None:
        query = query.where(col(Proposal.neighbourhood_id) == neighbourhood_id)
    if ballot_id is not None:
        query = query.join(BallotProposal, col(BallotProposal.proposal_id) == col(Proposal.id)).join(
            Ballot, col(Ballot.id) == col(BallotProposal.ballot_id)).where(
            col(Ballot.id) == ballot_id, col(Ballot.status) != "draft")
    rows = (await session.exec(query)).all()
    return feature_collection(
        point_feature(lat, lon, {"id": pid, "title": title, "status": state, "neighbourhood_id": hood,
                                 "category": slug, "url": f"/proposals/{pid}"})
        for pid, title, state, lat, lon, hood, slug in rows)


async def boundaries_geojson(session: AsyncSession, neighbourhood_id: int | None = None) -> dict[str, Any]:
    """The neighbourhoods' stored boundaries (those that have one), named in the reader's language."""
    language = current_language()
    hoods = await list_neighbourhoods(session)
    return feature_collection(
        boundary_feature(hood.boundary, {"id": hood.id, "slug": hood.slug, "name": hood.name(language),
                                         "highlight": hood.id == neighbourhood_id})
        for hood in hoods)
