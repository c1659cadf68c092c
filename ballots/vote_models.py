"""The ballot box, kept apart from who voted: participation, votes, log leaves, checkpoints and secrets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

__all__ = ["BallotSecret", "Participation", "Vote", "VoteLeaf", "VoteRequest", "VoteCheckpoint"]


def _ballot_key(primary_key: bool = False) -> Any:
    return Field(sa_column=Column(Integer, ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=primary_key,
                                  nullable=False, index=not primary_key))


class BallotSecret(SQLModel, table=True):
    """The per-ballot HMAC key that turns a voter into their vote slot; never exported with the votes."""

    __tablename__ = "ballot_secret"

    ballot_id: int = _ballot_key(primary_key=True)
    slot_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Participation(SQLModel, table=True):
    """Who voted, and how: one row per voter and ballot, enforced by the primary key."""

    __tablename__ = "participation"
    __table_args__ = (CheckConstraint("channel IN ('online', 'paper')", name="participation_channel"),)

    ballot_id: int = _ballot_key(primary_key=True)
    voter_ref: str = Field(sa_column=Column(String(64), primary_key=True))
    channel: str = Field(sa_column=Column(String(8), nullable=False))
    age_band: str = Field(sa_column=Column(String(16), nullable=False, server_default="unknown"))


class Vote(SQLModel, table=True):
    """What was voted: keyed by an HMAC slot, with no voter id, no timestamp and no channel."""

    __tablename__ = "vote"

    ballot_id: int = _ballot_key(primary_key=True)
    slot: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    content: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    commitment: str = Field(sa_column=Column(String(64), nullable=False))
    receipt_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))


class VoteLeaf(SQLModel, table=True):
    """Every accepted vote's receipt and commitment, sequenced; a checkpoint later gives it a tree index."""

    __tablename__ = "vote_leaf"
    __table_args__ = (UniqueConstraint("ballot_id", "tree_index", name="vote_leaf_tree_index"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    ballot_id: int = _ballot_key()
    receipt_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    commitment: str = Field(sa_column=Column(String(64), nullable=False))
    leaf_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    tree_index: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class VoteRequest(SQLModel, table=True):
    """An idempotency key already used by a voter slot, with its receipt sealed under that key."""

    __tablename__ = "vote_request"

    ballot_id: int = _ballot_key(primary_key=True)
    request_hash: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    sealed_receipt: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class VoteCheckpoint(SQLModel, table=True):
    """A signed Merkle root over a ballot's first ``tree_size`` leaves."""

    __tablename__ = "vote_checkpoint"
    __table_args__ = (UniqueConstraint("ballot_id", "tree_size", name="vote_checkpoint_size"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = _ballot_key()
    tree_size: int = Field(sa_column=Column(BigInteger, nullable=False))
    root: str = Field(sa_column=Column(String(64), nullable=False))
    signature: str = Field(sa_column=Column(Text, nullable=False))
    kid: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
