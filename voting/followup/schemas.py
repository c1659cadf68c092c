"""JSON in and out of the follow-up API (table models are never request bodies)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from voting.fields import Line, Text

__all__ = ["FundedProjectPublic", "MilestonePublic", "ProjectUpdate", "MilestoneCreate", "VolunteersPublic"]


class MilestonePublic(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    happens_on: date
    photo_url: str | None


class FundedProjectPublic(BaseModel):
    id: int
    ballot_id: int
    ballot_title: str
    proposal_id: int
    title: str
    summary: str
    neighbourhood_id: int
    status: str
    progress: int
    budget: int
    budget_spent: int
    abandon_reason: str | None
    latitude: float | None
    longitude: float | None
    volunteers: int
    milestones: list[MilestonePublic] = []
    next_work_day: date | None = None


class ProjectUpdate(BaseModel):
    """A moderator's change: any field left out keeps its value."""

    status: str | None = Field(default=None, max_length=16)
    progress: int | None = Field(default=None, ge=0, le=100)
    budget_spent: int | None = Field(default=None, ge=0, le=10**12)
    reason: Text | None = Field(default=None, max_length=2000)


class MilestoneCreate(BaseModel):
    kind: str = Field(default="milestone", max_length=16)
    title: Line = Field(max_length=160)
    body: Text = Field(default="", max_length=5000)
    happens_on: date


class VolunteersPublic(BaseModel):
    project_id: int
    volunteers: int
    volunteering: bool
