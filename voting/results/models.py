"""The stored result of a tallied ballot: its canonical document, what it was computed from, and its signed
export files (computed once per result digest and signing key)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, LargeBinary, String, Text, text
from sqlmodel import Field, SQLModel

__all__ = ["BallotResult", "ResultExport", "SourceVotes"]


class BallotResult(SQLModel, table=True):
    __tablename__ = "ballot_result"

    ballot_id: int = Field(sa_column=Column(Integer, ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True))
    rule: str = Field(sa_column=Column(String(32), nullable=False))
    tie_break: str = Field(sa_column=Column(String(64), nullable=False))
    input_digest: str = Field(sa_column=Column(String(64), nullable=False))
    document: str = Field(sa_column=Column(Text, nullable=False))
    document_sha256: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )


class ResultExport(SQLModel, table=True):
    """One signed export file (or its ``.sig``) of a ballot's result, as signed by key ``kid``."""

    __tablename__ = "result_export"

    ballot_id: int = Field(sa_column=Column(Integer, ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True))
    result_sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    kid: str = Field(sa_column=Column(String(64), primary_key=True))
    name: str = Field(sa_column=Column(String(64), primary_key=True))
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )


class SourceVotes(SQLModel, table=True):
    """An imported election's VOTES section as its Pabulib file wrote it (voter ids, age, sex, voting method...),
    gzipped CSV: public data of that file, written back by the ballot's export. Only imports write it: online and
    paper votes are sealed and never get such columns."""

    __tablename__ = "ballot_source_votes"

    ballot_id: int = Field(sa_column=Column(Integer, ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
