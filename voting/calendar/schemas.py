"""Request and response bodies of the calendar API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from voting.fields import RowId

__all__ = ["PhaseIn", "CalendarUpdate", "PhasePublic", "CalendarPublic"]


class PhaseIn(BaseModel):
    phase: str = Field(max_length=16, description="proposals, supports, review, vote or results")
    starts_at: datetime = Field(description="a moment without a zone is the city's local time")
    ends_at: datetime


class CalendarUpdate(BaseModel):
    """The whole calendar of one scope: it replaces the phases stored for it (an empty list clears it)."""

    neighbourhood_id: RowId | None = Field(default=None, description="null: the city's own calendar")
    phases: list[PhaseIn] = Field(default_factory=list, max_length=10)


class PhasePublic(BaseModel):
    phase: str
    label: str
    starts_at: datetime
    ends_at: datetime
    neighbourhood_id: int | None = Field(description="whose dates these are: null for the city's")
    state: str = Field(description="past, current or upcoming")


class CalendarPublic(BaseModel):
    neighbourhood_id: int | None
    current_phase: str | None
    supports_open: bool = Field(description="true also when no calendar sets a supports window")
    phases: list[PhasePublic]
