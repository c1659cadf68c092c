"""Who is making a request, and the pure rules about what their roles allow."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = ["Principal", "can_moderate", "can_enter_paper_votes", "has_any_role"]


@dataclass(frozen=True)
class Principal:
    id: uuid.UUID
    email: str
    display_name: str
    roles: frozenset[str]
    neighbourhoods: frozenset[int] = field(default_factory=frozenset)
    """Where a moderator moderates."""
    polling_stations: frozenset[int] = field(default_factory=frozenset)
    """The neighbourhoods where a poll officer enters paper votes."""
    jti: str = ""
    token_expires_at: datetime | None = None
    verified: bool = False
    birth_date: date | None = None
    neighbourhood_id: int | None = None
    email_confirmed: bool = False
    """The owner proved they read mail at this address (confirmation link, or an account made by the city)."""

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


def has_any_role(principal: Principal | None, roles: frozenset[str] | set[str]) -> bool:
    return principal is not None and bool(principal.roles & roles)


def can_moderate(principal: Principal | None, neighbourhood_id: int | None) -> bool:
    """Admins moderate everywhere; moderators only in their neighbourhoods (city-wide needs an admin)."""
    if principal is None:
        return False
    if principal.is_admin:
        return True
    scoped = neighbourhood_id is not None and neighbourhood_id in principal.neighbourhoods
    return "moderator" in principal.roles and scoped


def can_enter_paper_votes(principal: Principal | None, neighbourhood_id: int | None) -> bool:
    """Admins anywhere; poll officers in their neighbourhoods only (a city-wide ballot needs an admin)."""
    if principal is None:
        return False
    if principal.is_admin:
        return True
    scoped = neighbourhood_id is not None and neighbourhood_id in principal.polling_stations
    return "poll_officer" in principal.roles and scoped
