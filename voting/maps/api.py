"""JSON (GeoJSON) of the maps under ``/api/v1/map``: public proposals with coordinates, neighbourhood boundaries."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get
from litestar.params import QueryParameter

from voting.database import ReadSession
from voting.fields import INTEGER_MAX
from voting.maps.service import boundaries_geojson, proposals_geojson

__all__ = ["MapAPI"]

OptionalId = Annotated[int | None, QueryParameter(ge=1, le=INTEGER_MAX)]


class MapAPI(Controller):
    path = "/api/v1/map"
    tags = ["map"]

    @get("/proposals", operation_id="mapProposals")
    async def proposals(self, read_session: ReadSession, status: Annotated[str | None, QueryParameter(max_length=24)]
                        = None, category: Annotated[str | None, QueryParameter(max_length=64)] = None,
                        neighbourhood_id: OptionalId = None, ballot_id: OptionalId = None) -> dict[str, Any]:
        """Public proposals that have coordinates, as a GeoJSON FeatureCollection of points (never drafts)."""
        return await proposals_geojson(read_session, status=status or None, category=category or None,
                                       neighbourhood_id=neighbourhood_id, ballot_id=ballot_id)

    @get("/neighbourhoods", operation_id="mapNeighbourhoods")
    async def neighbourhoods(self, read_session: ReadSession, neighbourhood_id: OptionalId = None) -> dict[str, Any]:
        """The neighbourhoods' boundaries as a GeoJSON FeatureCollection (``highlight`` marks ``neighbourhood_id``)."""
        return await boundaries_geojson(read_session, neighbourhood_id)
