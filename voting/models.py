"""Tables of the shared kernel: neighbourhoods, the audit log and signing keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

__all__ = ["Neighbourhood", "AuditEntry", "AuditCheckpoint", "SigningKey", "KEY_PURPOSES"]

KEY_PURPOSES = ("tokens", "signing")


def _tz(nullable: bool = False, **kwargs: Any) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, **kwargs))


class Neighbourhood(SQLModel, table=True):
    __tablename__ = "neighbourhood"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    name_fr: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    population: int | None = Field(default=None)
    boundary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    postcodes: list[str] = Field(
        default_factory=list, sa_column=Column(ARRAY(Text), nullable=False, server_default="{}")
    )
    created_at: datetime | None = _tz(server_default="now()")
    retired_at: datetime | None = _tz(nullable=True)

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en


class AuditEntry(SQLModel, table=True):
    """One link of the hash chain; the database refuses UPDATE, DELETE and TRUNCATE on it."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("audit_entry_subject_seq", "subject", "seq"),)

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    actor: str = Field(max_length=200)
    action: str = Field(max_length=100, index=True)
    subject: str = Field(max_length=200)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))


class SigningKey(SQLModel, table=True):
    """An Ed25519 key pair; old public keys are kept so old exports still verify. A token key also holds the
    random MAC secret its tokens are authenticated with (HS256); its id, retirement and grace period decide which
    tokens verify."""

    __tablename__ = "signing_key"
    __table_args__ = (CheckConstraint("purpose IN ('tokens', 'signing')", name="signing_key_purpose"),
                      CheckConstraint("retired_at IS NULL OR private_key IS NULL",
                                      name="signing_key_retired_private"),
                      CheckConstraint("mac_secret IS NULL OR purpose = 'tokens'", name="signing_key_mac_secret_tokens"))

    kid: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=16)
    public_key: str = Field(sa_column=Column(Text, nullable=False))
    private_key: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """Only the current key keeps its private half: a retired key's is destroyed when it is retired."""
    encrypted: bool = False
    created_at: datetime | None = _tz(server_default="now()")
    retired_at: datetime | None = _tz(nullable=True)
    verify_until: datetime | None = _tz(nullable=True)
    """A retired token key still verifies tokens until then (the grace period); NULL: without end."""
    mac_secret: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    """A token key's 32 random bytes, sealed like the private half: making or checking a token needs both the
    database and the key-encryption secret. Kept through the grace period, wiped once it is over."""


class AuditCheckpoint(SQLModel, table=True):
    """A signed statement of the audit log's head hash at a sequence number."""

    __tablename__ = "audit_checkpoint"

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    head_hash: str = Field(max_length=64)
    at: str = Field(max_length=40)
    kid: str = Field(max_length=64)
    signature: str = Field(sa_column=Column(Text, nullable=False))
