"""JSON API of grouped ballots: make a group of draft ballots (moderators of every ballot in it, admins)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.params import JSONBody

from auth.guards import current_principal, requires_moderator
from ballots.groups.schemas import GroupCreate, GroupPublic
from ballots.groups.service import create_group
from voting.database import DBSession

__all__ = ["BallotGroupsAPI"]


class BallotGroupsAPI(Controller):
    path = "/api/v1/ballot-groups"
    tags = ["ballots"]

    @post("/", operation_id="createBallotGroup", guards=[requires_moderator])
    async def create(self, request: Request[Any, Any, Any], db_session: DBSession,
                     data: JSONBody[GroupCreate]) -> GroupPublic:
        """District ballots (and a city-wide one) where a resident votes in their own district and
        ``extra_districts`` others; refused with every reason (422)."""
        group, ballot_ids = await create_group(db_session, current_principal(request), data)
        return GroupPublic(id=group.id or 0, title=group.title, city_ballot_id=data.city_ballot_id,
                           extra_districts=group.extra_districts, ballot_ids=ballot_ids)
