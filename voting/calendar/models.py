"""The calendar's table: one dated phase of the participatory process, for the city or one neighbourhood."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, text
from sqlmodel import Field, SQLModel

__all__ = ["ProcessPhase"]


class ProcessPhase(SQLModel, table=True):
    """``neighbourhood_id`` NULL is the city's own calendar; a neighbourhood's row overrides the city's phase.

    At most one row per (neighbourhood, phase): the unique index reads NULL as 0, the city, which no neighbourhood
    id can be (ids start at 1).
    """

    __tablename__ = "process_phase"
    __table_args__ = (
        CheckConstraint("phase IN ('proposals', 'supports', 'review', 'vote', 'results')", name="process_phase_phase"),
        CheckConstraint("starts_at < ends_at", name="process_phase_window"),
        Index("process_phase_scope", text("coalesce(neighbourhood_id, 0)"), "phase", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    neighbourhood_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("neighbourhood.id", ondelete="CASCADE"), nullable=True)
    )
    phase: str = Field(sa_column=Column(String(16), nullable=False))
    starts_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ends_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))
    )
