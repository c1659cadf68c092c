"""Request and response bodies of the ballots API (table models are never bodies)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, StrictBool

from ballots.constraints import TallyConstraints
from voting.fields import Amount, Line, PatchField, RowId, SmallCount, Text

__all__ = ["BallotCreate", "BallotUpdate", "BallotPublic", "BallotProjectPublic", "TransitionRequest", "VoteCast",
           "VoteReceipt",
           "ReceiptStatus", "ReceiptQuery", "RollReport", "RollRejection", "PaperVote", "PaperCorrection",
           "PaperBatchReport", "Turnout",
           "CheckpointPublic", "StandingPublic", "StandingReason"]


class BallotCreate(BaseModel):
    neighbourhood_id: RowId | None = None
    title: Line = Field(min_length=3, max_length=200)
    description: Text = Field(default="", max_length=20_000)
    budget: Amount = Field(gt=0)
    proposal_ids: list[RowId] = Field(default_factory=list)
    vote_format: str = "knapsack"
    min_projects: SmallCount | None = None
    max_projects: SmallCount | None = None
    min_spend_percent: SmallCount | None = None
    total_points: SmallCount | None = None
    max_points_per_project: SmallCount | None = None
    max_ranks: SmallCount | None = None
    min_project_score: Amount | None = None
    """Votes (or points) a project needs to be funded (greedy-threshold and Equal Shares)."""
    min_voter_share: SmallCount | None = None
    """Percentage of the voters who must support a project for it to be funded."""
    constraints: TallyConstraints | None = None
    """Incompatible projects, minimum and maximum shares, sub-budgets the result must honour."""
    rule: str = "greedy"
    tie_break: str = "min-cost,max-votes,lexico"
    opens_at: datetime
    closes_at: datetime
    requires_roll: bool = False
    requires_residence: bool = True
    min_age: int | None = Field(default=16, ge=0, le=130)
    requires_verified: bool = True
    allow_blank: StrictBool = False
    """Voters may cast a blank vote (no project): counted in turnout and shown apart, never in the selection."""


class BallotUpdate(BaseModel):
    """Changes to a draft ballot; every field is optional. Once the ballot opens its settings are frozen.

    ``null`` clears a limit (``max_projects``, ``min_age``...); the other fields may be left out but not sent as null.
    """

    title: PatchField[Line] = Field(default=None, min_length=3, max_length=200)
    description: PatchField[Text] = Field(default=None, max_length=20_000)
    budget: PatchField[Amount] = Field(default=None, gt=0)
    vote_format: PatchField[str] = None
    min_projects: SmallCount | None = None
    max_projects: SmallCount | None = None
    min_spend_percent: SmallCount | None = None
    total_points: SmallCount | None = None
    max_points_per_project: SmallCount | None = None
    max_ranks: SmallCount | None = None
    min_project_score: Amount | None = None
    min_voter_share: SmallCount | None = None
    constraints: TallyConstraints | None = None
    rule: PatchField[str] = None
    tie_break: PatchField[str] = None
    opens_at: PatchField[datetime] = None
    closes_at: PatchField[datetime] = None
    requires_roll: PatchField[bool] = None
    requires_residence: PatchField[bool] = None
    min_age: int | None = Field(default=None, ge=0, le=130)
    requires_verified: PatchField[bool] = None
    allow_blank: PatchField[StrictBool] = None


class BallotProjectPublic(BaseModel):
    proposal_id: int
    title: str
    summary: str
    cost: int
    position: int


class StandingReason(BaseModel):
    code: str
    message: str
    fix: str | None = None
    fix_url: str | None = None


class StandingPublic(BaseModel):
    """Whether the logged-in caller can vote now, and if not every reason with the step that fixes it."""

    can_vote: bool
    reasons: list[StandingReason]
    residence: str | None = Field(description="where the neighbourhood used comes from: roll, verified, declared")
    age: str | None = Field(description="where the birth date used comes from: roll, verified, declared")


class BallotPublic(BaseModel):
    id: int
    neighbourhood_id: int | None
    title: str
    description: str
    budget: int
    status: str
    stored_status: str
    accepts_votes: bool
    vote_format: str
    min_projects: int | None
    max_projects: int | None
    min_spend_percent: int | None
    total_points: int | None
    max_points_per_project: int | None
    max_ranks: int | None
    min_project_score: int | None = None
    min_voter_share: int | None = None
    constraints: dict[str, Any] | None = None
    rule: str
    tie_break: str
    opens_at: datetime
    closes_at: datetime
    requires_roll: bool
    requires_residence: bool
    min_age: int | None
    requires_verified: bool
    cancel_reason: str | None
    allow_blank: bool = False
    projects: list[BallotProjectPublic] = Field(default_factory=list)
    standing: StandingPublic | None = Field(default=None, description="the logged-in caller's standing; null "
                                            "for anonymous callers and in lists")


class TransitionRequest(BaseModel):
    reason: str = Field(default="", max_length=2000)


class VoteCast(BaseModel):
    """``projects`` for approval, knapsack, choose-one and ranked (in order); ``points`` for cumulative."""

    projects: list[Any] | None = None
    points: dict[str, Any] | None = None
    blank: bool | None = Field(default=None, description="true: a blank vote (no project), where the ballot "
                               "allows it; an empty choice is one too")


class VoteReceipt(BaseModel):
    ballot_id: int
    receipt: str
    commitment: str
    replaced_previous: bool
    replayed: bool
    channel: str


class ReceiptStatus(BaseModel):
    ballot_id: int
    status: str  # recorded | replaced | counted
    commitment: str
    leaf_index: int | None = None
    checkpoint_size: int | None = None
    checkpoint_root: str | None = None
    inclusion_proof: list[str] = Field(default_factory=list)


class ReceiptQuery(BaseModel):
    code: str = Field(min_length=1, max_length=64)


class RollRejection(BaseModel):
    line: int
    reason: str


class RollReport(BaseModel):
    ballot_id: int
    accepted: int
    added: int
    updated: int
    rejected: list[RollRejection]


class PaperVote(VoteCast):
    voter: str = Field(min_length=1, max_length=254, description="the voter's email or external id")


class PaperCorrection(PaperVote):
    """A moderator's correction of a mistyped paper vote, before the close: the voter's vote is replaced."""

    reason: Text = Field(min_length=3, max_length=500, description="why the paper vote is corrected (audited)")


class PaperBatchReport(BaseModel):
    ballot_id: int
    recorded: int
    receipts: list[str]


class Turnout(BaseModel):
    ballot_id: int
    votes: int
    eligible: int | None
    share: float | None
    by_channel: dict[str, int]
    by_age_band: dict[str, int]


class CheckpointPublic(BaseModel):
    ballot_id: int
    tree_size: int
    root: str
    signature: str
    kid: str
    created_at: datetime | None
