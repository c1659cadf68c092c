"""Tables for proposal categories, proposals, their photos and citizens' supports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR, UUID
from sqlmodel import Field, SQLModel

__all__ = ["PROPOSAL_STATES", "SEARCH_DOCUMENT", "Category", "Proposal", "ProposalPhoto", "ProposalSupport"]

PROPOSAL_STATES = ("draft", "submitted", "accepted", "rejected", "changes_requested", "withdrawn")
_TEXT = "title || ' ' || summary || ' ' || description"
SEARCH_DOCUMENT = f"to_tsvector('french'::regconfig, {_TEXT}) || to_tsvector('english'::regconfig, {_TEXT})"
"""Full-text search over title, summary and description in French and in English, stored and GIN-indexed."""


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
        CheckConstraint("status IN ('draft', 'withdrawn') OR (category IS NOT NULL AND neighbourhood_id IS NOT NULL"
                        " AND estimated_cost IS NOT NULL)", name="proposal_complete_unless_draft"),
        CheckConstraint("validated_cost IS NULL OR validated_cost > 0", name="proposal_validated_cost_positive"),
        Index("proposal_search", "search_vector", postgresql_using="gin"),
        Index("proposal_neighbourhood_status", "neighbourhood_id", "status"),
        Index("proposal_status_submitted", "status", "submitted_at"),
        Index("proposal_created", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=160)
    summary: str = Field(max_length=500)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # A draft needs only its title: these three are NULL until the proposer fills them in (see the CHECK above).
    category: str | None = Field(default=None, sa_column=Column(String(64), ForeignKey("category.slug"),
                                                                nullable=True))
    neighbourhood_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("neighbourhood.id"),
                                                                        nullable=True))
    estimated_cost: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
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
    search_vector: Any = Field(
        default=None, sa_column=Column(TSVECTOR, Computed(SEARCH_DOCUMENT, persisted=True), nullable=True)
    )


class ProposalPhoto(SQLModel, table=True):
    """The one optional photo of a proposal; its type was read from its bytes, never from its name."""

    __tablename__ = "proposal_photo"
    __table_args__ = (
        CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'image/webp')", name="proposal_photo_type"),
        CheckConstraint("octet_length(content) <= 5242880", name="proposal_photo_size"),
    )

    proposal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    )
    content_type: str = Field(sa_column=Column(String(32), nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    thumbnail: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))  # WebP, for cards
    uploaded_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )


class ProposalSupport(SQLModel, table=True):
    """One citizen's support for one proposal: the primary key makes a second one impossible."""

    __tablename__ = "proposal_support"

    proposal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    )
    account_id: uuid.UUID = Field(
        sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id", ondelete="CASCADE"), primary_key=True,
                         index=True)
    )
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
