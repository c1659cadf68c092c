"""Request and response bodies of grouped ballots."""

from __future__ import annotations

from pydantic import BaseModel, Field

from voting.fields import Line, RowId

__all__ = ["GroupCreate", "GroupPublic", "GroupUpdate"]


class GroupCreate(BaseModel):
    title: Line = Field(min_length=3, max_length=200)
    ballot_ids: list[RowId] = Field(max_length=500, description="the district ballots (drafts, one per district)")
    city_ballot_id: RowId | None = Field(default=None, description="the city-wide ballot, voted by everyone")
    extra_districts: int = Field(ge=0, le=100, description="how many districts besides their own a resident "
                                 "may vote in (Barcelona: 1)")


class GroupUpdate(GroupCreate):
    """The whole group as it should now be (a ballot left out leaves the group); only while all are drafts."""


class GroupPublic(BaseModel):
    id: int
    title: str
    city_ballot_id: int | None
    extra_districts: int
    ballot_ids: list[int]
