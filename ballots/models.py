"""Tables for ballots and the proposals on them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field, SQLModel

__all__ = ["BALLOT_STATES", "Ballot", "BallotProposal", "VoterRollEntry"]

BALLOT_STATES = ("draft", "open", "closed", "tallied", "published", "cancelled")


class Ballot(SQLModel, table=True):
    __tablename__ = "ballot"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'open', 'closed', 'tallied', 'published', 'cancelled')", name="ballot_status"
        ),
        CheckConstraint("budget > 0", name="ballot_budget_positive"),
        CheckConstraint("closes_at > opens_at", name="ballot_window"),
        CheckConstraint("vote_format IN ('approval', 'knapsack', 'cumulative', 'ranked', 'choose-one')",
                        name="ballot_vote_format"),
        CheckConstraint("min_spend_percent IS NULL OR min_spend_percent BETWEEN 0 AND 100",
                        name="ballot_min_spend_percent"),
        CheckConstraint("status <> 'cancelled' OR cancel_reason IS NOT NULL", name="ballot_cancel_reason"),
        CheckConstraint("min_project_score IS NULL OR min_project_score >= 0", name="ballot_min_project_score"),
        CheckConstraint("min_voter_share IS NULL OR min_voter_share BETWEEN 0 AND 100", name="ballot_min_voter_share"),
        CheckConstraint("currency IS NULL OR currency ~ '^[A-Z]{3}$'", name="ballot_currency"),
        CheckConstraint("constraints IS NULL OR jsonb_typeof(constraints) = 'object'", name="ballot_constraints"),
        # one ballot per district in a group of ballots (the city-wide one has no district)
        Index("ballot_group_district", "group_id", "neighbourhood_id", unique=True,
              postgresql_where=text("group_id IS NOT NULL")),
        # the deadline sweeper's question: which open ballots have reached their closing time
        Index("ballot_open_closes_at", "closes_at", postgresql_where=text("status = 'open'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    neighbourhood_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("neighbourhood.id"), nullable=True)
    )
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    budget: int = Field(sa_column=Column(BigInteger, nullable=False))
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, server_default="draft"))
    opens_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    closes_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    created_by: uuid.UUID | None = Field(
        default=None, sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id"), nullable=True)
    )
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
    vote_format: str = Field(default="knapsack",
                             sa_column=Column(String(16), nullable=False, server_default="knapsack"))
    min_projects: int | None = None
    max_projects: int | None = None
    min_spend_percent: int | None = None
    total_points: int | None = None
    max_points_per_project: int | None = None
    max_ranks: int | None = None
    rule: str = Field(default="greedy", sa_column=Column(String(32), nullable=False, server_default="greedy"))
    tie_break: str = Field(default="min-cost,max-votes,lexico", sa_column=Column(
        String(64), nullable=False, server_default="min-cost,max-votes,lexico"))
    min_age: int | None = Field(default=16, sa_column=Column(Integer, nullable=True, server_default="16"))
    requires_roll: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="false"))
    requires_residence: bool = Field(default=True,
                                     sa_column=Column(Boolean, nullable=False, server_default="true"))
    requires_verified: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default="true"))
    constraints: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB(none_as_null=True), nullable=True))
    """Tally constraints (incompatible projects, quotas, caps, sub-budgets), resolved: ballots/constraints.py."""
    cancel_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    min_project_score: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    """A project needs at least this score (votes, or points) to be funded."""
    min_voter_share: int | None = None
    """A project needs this percentage of the voters' support to be funded."""
    currency: str | None = Field(default=None, sa_column=Column(String(3), nullable=True))
    """An imported election's own currency (ISO 4217); None: the city's."""
    budget_exact: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    """An imported election's budget when it is not whole (``budget`` then holds its whole part)."""
    source_meta: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """An imported election's Pabulib META, as JSON in the file's order (exports write it back)."""
    allow_blank: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default="false"))
    """Voters may cast a blank vote: counted in turnout and shown apart, never in the selection."""
    group_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("ballot_group.id", ondelete="SET NULL"), nullable=True))
    """The group of ballots it belongs to (``ballots.groups``)."""


class BallotProposal(SQLModel, table=True):
    __tablename__ = "ballot_proposal"
    __table_args__ = (CheckConstraint("cost > 0", name="ballot_proposal_cost_positive"),)

    ballot_id: int = Field(sa_column=Column(Integer, ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True))
    proposal_id: int = Field(sa_column=Column(Integer, ForeignKey("proposal.id"), primary_key=True))
    cost: int = Field(sa_column=Column(BigInteger, nullable=False))
    position: int = 0
    label: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    source_fields: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """An imported project's Pabulib PROJECTS row, as JSON by column (exports write it back)."""


class VoterRollEntry(SQLModel, table=True):
    """One line of a ballot's voter roll, matched to an account by email or by external id (the account id)."""

    __tablename__ = "voter_roll_entry"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR external_id IS NOT NULL", name="voter_roll_entry_key"),
        UniqueConstraint("ballot_id", "email", name="voter_roll_entry_email"),
        UniqueConstraint("ballot_id", "external_id", name="voter_roll_entry_external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(sa_column=Column(Integer, ForeignKey("ballot.id", ondelete="CASCADE"), nullable=False))
    email: str | None = Field(default=None, sa_column=Column(String(254), nullable=True))
    external_id: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    birth_date: date | None = None
    neighbourhood_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("neighbourhood.id"), nullable=True)
    )


import ballots.groups.models  # noqa: E402,F401 - the table of ``Ballot.group_id``
