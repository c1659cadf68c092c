"""Tables for proposal categories and proposals."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

__all__ = ["PROPOSAL_STATES", "Category", "Proposal"]

PROPOSAL_STATES = ("draft", "submitted", "accepted", "rejected", "changes_requested", "withdrawn")


class Category(SQLModel, table=True):
    __tablename__ = "category"

    slug: str = Field(sa_column=Column(String(64), primary_key=True))
    name_fr: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    retired_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en


class Proposal(SQLModel, table=True):
    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'submitted', 'accepted', 'rejected', 'changes_requested', 'withdrawn')",
            name="proposal_status",
        ),
        CheckConstraint("estimated_cost > 0", name="proposal_cost_positive"),
        CheckConstraint("validated_cost IS NULL OR validated_cost > 0", name="proposal_validated_cost_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=160)
    summary: str = Field(max_length=500)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    category: str = Field(sa_column=Column(String(64), ForeignKey("category.slug"), nullable=False))
    neighbourhood_id: int = Field(sa_column=Column(Integer, ForeignKey("neighbourhood.id"), nullable=False))
    estimated_cost: int = Field(sa_column=Column(BigInteger, nullable=False))
    validated_cost: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    feasibility_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    moderator_message: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    address: str | None = Field(default=None, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    community: str | None = Field(default=None, max_length=200)
    proposer_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id"), nullable=False, index=True)
    )
    status: str = Field(default="draft", sa_column=Column(String(24), nullable=False, server_default="draft"))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
    submitted_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
