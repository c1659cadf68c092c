"""JSON API of grouped ballots: make, read, change and delete a group of draft ballots (moderators of every
ballot in it, admins)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, JSONBody

from auth.guards import current_principal, requires_moderator
from ballots.groups.models import BallotGroup
from ballots.groups.schemas import GroupCreate, GroupPublic, GroupUpdate
from ballots.groups.service import create_group, delete_group, update_group, view_group
from ballots.models import Ballot
from voting.database import DBSession

__all__ = ["BallotGroupsAPI"]


def _public(group: BallotGroup, ballots: list[Ballot]) -> GroupPublic:
    city = next((b.id for b in ballots if b.neighbourhood_id is None), None)
    return GroupPublic(id=group.id or 0, title=group.title, city_ballot_id=city,
                       extra_districts=group.extra_districts, ballot_ids=sorted(b.id or 0 for b in ballots))


class BallotGroupsAPI(Controller):
    path = "/api/v1/ballot-groups"
    tags = ["ballots"]
    guards = [requires_moderator]

    @post("/", operation_id="createBallotGroup")
    async def create(self, request: Request[Any, Any, Any], db_session: DBSession,
                     data: JSONBody[GroupCreate]) -> GroupPublic:
        """District ballots (and a city-wide one) where a resident votes in their own district and
        ``extra_districts`` others; refused with every reason (422)."""
        group, ballot_ids = await create_group(db_session, current_principal(request), data)
        return GroupPublic(id=group.id or 0, title=group.title, city_ballot_id=data.city_ballot_id,
                           extra_districts=group.extra_districts, ballot_ids=ballot_ids)

    @get("/{group_id:int}", operation_id="getBallotGroup")
    async def show(self, request: Request[Any, Any, Any], db_session: DBSession,
                   group_id: FromPath[int]) -> GroupPublic:
        return _public(*await view_group(db_session, current_principal(request), group_id))

    @put("/{group_id:int}", operation_id="updateBallotGroup")
    async def update(self, request: Request[Any, Any, Any], db_session: DBSession, group_id: FromPath[int],
                     data: JSONBody[GroupUpdate]) -> GroupPublic:
        """The whole group as it should be, while all its ballots are drafts (409 once one is not; 422 with every
        reason when the new group could not be made)."""
        group, ballot_ids = await update_group(db_session, current_principal(request), group_id, data)
        return GroupPublic(id=group.id or 0, title=group.title, city_ballot_id=data.city_ballot_id,
                           extra_districts=group.extra_districts, ballot_ids=ballot_ids)

    @delete("/{group_id:int}", operation_id="deleteBallotGroup")
    async def remove(self, request: Request[Any, Any, Any], db_session: DBSession, group_id: FromPath[int]) -> None:
        """Its ballots leave the group and stay drafts; 409 once one of them is no longer a draft."""
        await delete_group(db_session, current_principal(request), group_id)
