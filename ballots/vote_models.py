"""The ballot box, kept apart from who voted: participation, votes, log leaves, checkpoints and secrets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

__all__ = ["BallotSecret", "Participation", "Vote", "VoteEnvelope", "VoteLeaf", "VoteRequest", "VoteCheckpoint"]


def _ballot_key(primary_key: bool = False) -> Any:
    return Field(sa_column=Column(Integer, ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=primary_key,
                                  nullable=False, index=not primary_key))


class BallotSecret(SQLModel, table=True):
    """The ballot's salt: with the instance secret (never in the database) it gives the slot and envelope keys.

    ``scheme`` 1 marks ballots made before the double envelope, whose ``slot_key`` is the slot key itself.
    """

    __tablename__ = "ballot_secret"

    ballot_id: int = _ballot_key(primary_key=True)
    slot_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    scheme: int = Field(default=2, sa_column=Column(SmallInteger, nullable=False, server_default="2"))


class Participation(SQLModel, table=True):
    """Who voted, and how: one row per voter and ballot, enforced by the primary key.

    ``receipt_key`` names the voter's current entry in the vote log (not their vote: the log cannot be matched to
    the ballot box without the receipt code), so that a replaced receipt reads "replaced" while voting runs.
    """

    __tablename__ = "participation"
    __table_args__ = (CheckConstraint("channel IN ('online', 'paper', 'imported')", name="participation_channel"),)

    ballot_id: int = _ballot_key(primary_key=True)
    voter_ref: str = Field(sa_column=Column(String(64), primary_key=True))
    channel: str = Field(sa_column=Column(String(8), nullable=False))
    age_band: str = Field(sa_column=Column(String(16), nullable=False, server_default="unknown"))
    receipt_key: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))


class VoteEnvelope(SQLModel, table=True):
    """A vote sealed in the voter's transaction (AES-GCM under a key no dump holds); opened at the close."""

    __tablename__ = "vote_envelope"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    ballot_id: int = _ballot_key()
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Vote(SQLModel, table=True):
    """What was voted: keyed by an HMAC slot, with no voter id, no timestamp and no channel; written at the close,
    all in one transaction and in a random order."""

    __tablename__ = "vote"

    ballot_id: int = _ballot_key(primary_key=True)
    slot: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    content: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    commitment: str = Field(sa_column=Column(String(64), nullable=False))
    receipt_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))


class VoteLeaf(SQLModel, table=True):
    """Every accepted vote's entry in the log, sequenced; a checkpoint later gives it a tree index.

    ``receipt_key`` is ``receipts.log_key(code)`` and ``masked_commitment`` the commitment masked under the code
    (``masked``; leaves written before the double envelope hold the bulletin's receipt hash and commitment).
    """

    __tablename__ = "vote_leaf"
    __table_args__ = (UniqueConstraint("ballot_id", "tree_index", name="vote_leaf_tree_index"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    ballot_id: int = _ballot_key()
    receipt_key: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    masked_commitment: str = Field(sa_column=Column(String(64), nullable=False))
    masked: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true")))
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
