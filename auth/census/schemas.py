"""Request and response bodies of the census, residence and desk APIs."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

__all__ = ["RejectedRow", "CensusReport", "ResidenceCheck", "ResidencePublic", "DeskVerification",
           "DeskAccountPublic"]


class RejectedRow(BaseModel):
    line: int
    reason: str


class CensusReport(BaseModel):
    import_id: int
    imported_at: datetime
    imported_by: str
    rows_read: int
    rows_stored: int
    rows_rejected: int
    rejected: list[RejectedRow]
    accounts_verified: int
    accounts_updated: int


class ResidenceCheck(BaseModel):
    document_id: str = Field(min_length=1, max_length=100, description="the number of an identity document")
    birth_date: str = Field(min_length=1, max_length=20, description="YYYY-MM-DD or DD/MM/YYYY")


class ResidencePublic(BaseModel):
    verified: bool
    verified_how: str | None
    verified_at: datetime | None
    email_confirmed: bool
    neighbourhood: str | None = Field(description="the neighbourhood's slug")
    birth_date: date | None
    age: int | None
    tries_left: int


class DeskVerification(BaseModel):
    account_id: uuid.UUID
    neighbourhood: str = Field(min_length=1, max_length=64, description="the neighbourhood's slug")
    birth_date: str = Field(min_length=1, max_length=20, description="YYYY-MM-DD or DD/MM/YYYY")
    id_checked: bool = Field(description="true: an identity document was checked in person")


class DeskAccountPublic(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    email_confirmed: bool
    neighbourhood: str | None
    birth_date: date | None
    age: int | None
    verified_how: str | None
    verified_at: datetime | None
