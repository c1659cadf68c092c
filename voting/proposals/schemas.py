"""Request and response bodies of the proposals API (table models are never bodies)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from voting.fields import Line, RowId, SmallCount, Text

__all__ = ["ProposalCreate", "ProposalUpdate", "ProposalPublic", "ProposalPage", "TransitionRequest",
           "SupportPublic", "ShortlistRequest", "ShortlistEntry", "ShortlistPublic", "HistoryEntry"]


class ProposalCreate(BaseModel):
    """A new proposal; lengths, costs, categories and neighbourhoods are checked by the domain (422)."""

    title: Line = ""
    summary: Text = ""
    description: Text = ""
    category: str = ""
    neighbourhood_id: RowId | None = None
    estimated_cost: int | None = None
    address: Line | None = None
    latitude: float | None = None
    longitude: float | None = None
    community: Line | None = None
    submit: bool = Field(default=False, description="submit for review at once instead of keeping a draft")


class ProposalUpdate(BaseModel):
    """Every field of a draft or of a proposal sent back for changes (the whole proposal is replaced)."""

    title: Line = ""
    summary: Text = ""
    description: Text = ""
    category: str = ""
    neighbourhood_id: RowId | None = None
    estimated_cost: int | None = None
    address: Line | None = None
    latitude: float | None = None
    longitude: float | None = None
    community: Line | None = None


class ProposalPublic(BaseModel):
    id: int
    title: str
    summary: str
    description: str
    category: str | None  # these three are null while a draft has not given them
    neighbourhood_id: int | None
    estimated_cost: int | None
    validated_cost: int | None
    feasibility_note: str | None
    moderator_message: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    community: str | None
    proposer_name: str
    status: str
    created_at: datetime | None
    submitted_at: datetime | None
    reviewed_at: datetime | None
    supports: int
    photo_url: str | None


class ProposalPage(BaseModel):
    items: list[ProposalPublic]
    total: int
    page: int
    per_page: int


class TransitionRequest(BaseModel):
    """``submit`` and ``withdraw`` (proposer); ``accept``, ``reject``, ``request_changes`` (moderator)."""

    action: str
    message: str = ""
    validated_cost: int | None = None


class SupportPublic(BaseModel):
    proposal_id: int
    supports: int
    supported: bool


class HistoryEntry(BaseModel):
    at: datetime
    action: str
    message: str | None


class ShortlistRequest(BaseModel):
    mode: str = Field(description="manual, top or min_supports")
    proposal_ids: list[RowId] = Field(default_factory=list, max_length=500)
    n: SmallCount | None = None
    k: SmallCount | None = None


class ShortlistEntry(BaseModel):
    proposal_id: int
    title: str
    cost: int
    position: int
    supports: int


class ShortlistPublic(BaseModel):
    ballot_id: int
    entries: list[ShortlistEntry]
