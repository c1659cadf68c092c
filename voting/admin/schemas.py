"""Request and response bodies of the administration API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from voting.fields import Line, PatchField

__all__ = ["NeighbourhoodCreate", "NeighbourhoodUpdate", "NeighbourhoodPublic", "CategoryCreate", "CategoryRename",
           "CategoryPublic", "AccountPublic", "RoleChange", "ScopeChange", "Verification", "SettingsPublic",
           "SettingsUpdate", "KeyPublic"]


class NeighbourhoodCreate(BaseModel):
    slug: str = Field(max_length=64)
    name_fr: Line = Field(max_length=200)
    name_en: Line = Field(max_length=200)
    population: int | None = None
    boundary: dict[str, Any] | None = None
    postcodes: list[str] = Field(default_factory=list, max_length=200)


class NeighbourhoodUpdate(BaseModel):
    """Only the fields sent change; ``null`` clears the population or the boundary, never a name or the postcodes."""

    name_fr: PatchField[Line] = Field(default=None, max_length=200)
    name_en: PatchField[Line] = Field(default=None, max_length=200)
    population: int | None = None
    boundary: dict[str, Any] | None = None
    postcodes: PatchField[list[str]] = Field(default=None, max_length=200)


class NeighbourhoodPublic(BaseModel):
    id: int
    slug: str
    name_fr: str
    name_en: str
    population: int | None
    postcodes: list[str]
    boundary: dict[str, Any] | None
    retired: bool


class CategoryCreate(BaseModel):
    slug: str = Field(max_length=64)
    name_fr: Line = Field(max_length=200)
    name_en: Line = Field(max_length=200)


class CategoryRename(BaseModel):
    name_fr: Line = Field(max_length=200)
    name_en: Line = Field(max_length=200)


class CategoryPublic(BaseModel):
    slug: str
    name_fr: str
    name_en: str
    retired: bool


class AccountPublic(BaseModel):
    id: str
    email: str
    display_name: str
    active: bool
    verified: bool
    verified_how: str | None
    roles: list[str]
    neighbourhoods: list[str]
    polling_stations: list[str] = []
    """Where a poll officer enters paper votes."""


class RoleChange(BaseModel):
    role: str = Field(max_length=16)


class ScopeChange(BaseModel):
    neighbourhoods: list[str] = Field(max_length=100)


class Verification(BaseModel):
    how: str = Field(max_length=400)


class SettingsPublic(BaseModel):
    city_name: str
    default_language: str
    currency: str
    min_voting_age: int
    self_registration_open: bool
    time_zone: str
    comment_hide_after_reports: int
    map_tiles_url: str = ""
    map_attribution: str = ""


class SettingsUpdate(BaseModel):
    city_name: Line | None = Field(default=None, max_length=200)
    default_language: str | None = None
    currency: str | None = None
    min_voting_age: int | None = None
    self_registration_open: bool | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    comment_hide_after_reports: int | None = None
    map_tiles_url: str | None = Field(default=None, max_length=300)
    map_attribution: str | None = Field(default=None, max_length=300)


class KeyPublic(BaseModel):
    kid: str
    purpose: str
    algorithm: str
    public_key: str
    created_at: str | None
    retired_at: str | None
