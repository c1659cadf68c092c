"""Request and response bodies of the authentication API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from voting.fields import Line

__all__ = ["TokenRequest", "TokenResponse", "MeResponse", "RegisterRequest", "PendingResponse", "TokenBody",
           "ResetRequest", "ResetComplete", "AccountResponse", "AccountUpdate", "PasswordChange",
           "PasswordConfirmation"]


class TokenRequest(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime


class MeResponse(BaseModel):
    id: str
    email: str
    display_name: str
    roles: list[str]
    neighbourhoods: list[int]
    email_confirmed: bool = False


class RegisterRequest(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    display_name: Line = Field(min_length=1, max_length=120)
    birth_date: date
    neighbourhood: str | None = Field(default=None, max_length=64, description="slug; or give a postcode")
    postcode: str | None = Field(default=None, max_length=16)
    document_id: str | None = Field(default=None, max_length=64,
                                    description="checked against the census if the city has one; never stored")


class PendingResponse(BaseModel):
    """The same answer whether or not the address already had an account."""

    email: str
    detail: str


class TokenBody(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class ResetRequest(BaseModel):
    email: str = Field(min_length=1, max_length=254)


class ResetComplete(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=1024)


class AccountResponse(BaseModel):
    id: str
    email: str
    display_name: str
    language: str | None
    neighbourhood: str | None
    birth_date: date | None
    notify_ballot_opened: bool
    notify_results: bool
    email_confirmed: bool
    verified: bool
    verified_how: str | None
    created_at: datetime | None


class AccountUpdate(BaseModel):
    """Only the fields sent change; a new neighbourhood or birth date is declared until checked again."""

    display_name: Line | None = Field(default=None, max_length=120)
    language: Literal["fr", "en"] | None = None
    neighbourhood: str | None = Field(default=None, max_length=64)
    birth_date: date | None = None
    notify_ballot_opened: bool | None = None
    notify_results: bool | None = None


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordConfirmation(BaseModel):
    password: str = Field(min_length=1, max_length=1024)
