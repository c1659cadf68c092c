"""Request and response bodies of the authentication API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

__all__ = ["TokenRequest", "TokenResponse", "MeResponse"]


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
