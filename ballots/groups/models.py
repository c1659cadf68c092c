"""Tables of grouped ballots: the group and, per voter, the districts they voted in (locked while voting)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Integer, SmallInteger, String, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

__all__ = ["BallotGroup", "BallotGroupVoter"]


class BallotGroup(SQLModel, table=True):
    """A city-wide ballot and district ballots (``ballot.group_id``; the city-wide one has no district): a
    resident votes in their own district and ``extra_districts`` others."""

    __tablename__ = "ballot_group"
    __table_args__ = (CheckConstraint("extra_districts >= 0", name="ballot_group_extra_districts"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    extra_districts: int = Field(sa_column=Column(SmallInteger, nullable=False))
    created_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()")))


class BallotGroupVoter(SQLModel, table=True):
    """The districts one voter voted in within a group; its row lock serialises their votes across the group's
    ballots, and its CHECK refuses more districts than the rule allows even if the code did not."""

    __tablename__ = "ballot_group_voter"
    __table_args__ = (CheckConstraint("cardinality(district_ids) <= max_districts", name="ballot_group_voter_limit"),)

    group_id: int = Field(sa_column=Column(Integer, ForeignKey("ballot_group.id", ondelete="CASCADE"),
                                           primary_key=True))
    voter_key: str = Field(sa_column=Column(String(64), primary_key=True))
    district_ids: list[int] = Field(default_factory=list, sa_column=Column(ARRAY(Integer), nullable=False,
                                                                           server_default="{}"))
    max_districts: int = Field(sa_column=Column(SmallInteger, nullable=False))
