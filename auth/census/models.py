"""Census tables: the entries (only what matching needs), the imports, the claims, pending documents, tries."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlmodel import Field, SQLModel

__all__ = ["CensusEntry", "CensusImport", "CensusClaim", "CensusPending", "ResidenceAttempt"]


def _account_fk(primary_key: bool = False) -> Any:
    return Field(sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id", ondelete="CASCADE"),
                                  primary_key=primary_key, nullable=False))


def _moment(**kwargs: Any) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=False,
                                                server_default=text("now()"), **kwargs))


class CensusImport(SQLModel, table=True):
    """One import of the whole census: who, when, the counts, the rejected rows (line and reason only)."""

    __tablename__ = "census_import"

    id: int | None = Field(default=None, primary_key=True)
    imported_at: datetime | None = _moment()
    imported_by: str = Field(max_length=200)
    rows_read: int
    rows_stored: int
    rows_rejected: int
    accounts_verified: int
    accounts_updated: int
    key_fingerprint: str = Field(max_length=16)
    """Which instance key hashed the document ids: another key means the census must be imported again."""
    rejected: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))


class CensusEntry(SQLModel, table=True):
    """A resident on the census: a lower-cased email and/or a keyed hash of a document id, birth date and home."""

    __tablename__ = "census_entry"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR document_hash IS NOT NULL", name="census_entry_has_key"),
        CheckConstraint("email = lower(email)", name="census_entry_email_lower"),
        Index("census_entry_email", "email", unique=True, postgresql_where=text("email IS NOT NULL")),
        Index("census_entry_document", "document_hash", unique=True,
              postgresql_where=text("document_hash IS NOT NULL")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    import_id: int = Field(sa_column=Column(Integer, ForeignKey("census_import.id"), nullable=False))
    email: str | None = Field(default=None, sa_column=Column(String(254), nullable=True))
    document_hash: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    birth_date: date = Field(sa_column=Column(Date, nullable=False))
    neighbourhood_id: int = Field(sa_column=Column(Integer, ForeignKey("neighbourhood.id"), nullable=False))


class CensusClaim(SQLModel, table=True):
    """A census key (keyed hash of an email or document) that verified an account: one resident, one account."""

    __tablename__ = "census_claim"

    key_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    account_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id", ondelete="CASCADE"),
                                                   nullable=False, index=True))
    claimed_at: datetime | None = _moment()


class CensusPending(SQLModel, table=True):
    """A document id typed at registration, hashed, waiting for the e-mail confirmation that lets it verify."""

    __tablename__ = "census_pending"

    account_id: uuid.UUID = _account_fk(primary_key=True)
    document_hash: str = Field(sa_column=Column(String(64), nullable=False))
    birth_date: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    created_at: datetime | None = _moment()


class ResidenceAttempt(SQLModel, table=True):
    """A resident's failed try at matching the census, for the per-account throttle."""

    __tablename__ = "residence_attempt"
    __table_args__ = (Index("residence_attempt_account_at", "account_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), ForeignKey("account.id", ondelete="CASCADE"),
                                                   nullable=False))
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
