"""The stored result of a tallied ballot: its canonical document and what it was computed from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, text
from sqlmodel import Field, SQLModel

__all__ = ["BallotResult"]


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
