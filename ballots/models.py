"""Tables for ballots and the proposals on them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

__all__ = ["BALLOT_STATES", "Ballot", "BallotProposal"]

BALLOT_STATES = ("draft", "open", "closed", "tallied", "published", "cancelled")


class Ballot(SQLModel, table=True):
    __tablename__ = "ballot"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'open', 'closed', 'tallied', 'published', 'cancelled')", name="ballot_status"
        ),
        CheckConstraint("budget > 0", name="ballot_budget_positive"),
        CheckConstraint("closes_at > opens_at", name="ballot_window"),
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


class BallotProposal(SQLModel, table=True):
    __tablename__ = "ballot_proposal"
    __table_args__ = (CheckConstraint("cost > 0", name="ballot_proposal_cost_positive"),)

    ballot_id: int = Field(sa_column=Column(Integer, ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True))
    proposal_id: int = Field(sa_column=Column(Integer, ForeignKey("proposal.id"), primary_key=True))
    cost: int = Field(sa_column=Column(BigInteger, nullable=False))
    position: int = 0
    label: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
