"""The map of proposals for people: filters by state, category and neighbourhood, a list beside for no script."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, MediaType, get
from litestar.params import QueryParameter
from litestar.response import Template

from voting.database import ReadSession
from voting.maps.service import proposals_geojson
from voting.proposals.pages import optional_int
from voting.proposals.queries import PUBLIC_STATES
from voting.proposals.views import form_choices

__all__ = ["MapPages"]


class MapPages(Controller):
    path = "/map"
    include_in_schema = False

    @get("/", name="proposal_map", media_type=MediaType.HTML)
    async def index(self, read_session: ReadSession,
                    neighbourhood: Annotated[str | None, QueryParameter(max_length=12)] = None,
                    category: Annotated[str | None, QueryParameter(max_length=64)] = None,
                    status: Annotated[str | None, QueryParameter(max_length=24)] = None) -> Template:
        filters = {"neighbourhood": neighbourhood or "", "category": category or "", "status": status or ""}
        hood = optional_int(neighbourhood)
        points = await proposals_geojson(read_session, status=status or None, category=category or None,
                                         neighbourhood_id=hood)
        query = urlencode({k: v for k, v in {"status": status, "category": category,
                                              "neighbourhood_id": hood}.items() if v})
        points_url = "/api/v1/map/proposals" + (f"?{query}" if query else "")
        return Template("maps/index.html", context={
            "filters": filters, "points": points, "points_url": points_url,
            "highlight": hood, "choices": await form_choices(read_session), "states": PUBLIC_STATES})
