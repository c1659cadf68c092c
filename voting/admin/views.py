"""Turning admin domain objects into the API's public schemas."""

from __future__ import annotations

from auth.admin import AccountView
from voting.admin.rules import CitySettings
from voting.admin.schemas import AccountPublic, CategoryPublic, NeighbourhoodPublic, SettingsPublic
from voting.models import Neighbourhood
from voting.proposals.models import Category

__all__ = ["neighbourhood_public", "category_public", "account_public", "settings_public", "actor_of"]


def actor_of(principal: object) -> str:
    return f"account:{getattr(principal, 'id', 'unknown')}"


def neighbourhood_public(hood: Neighbourhood) -> NeighbourhoodPublic:
    assert hood.id is not None
    return NeighbourhoodPublic(id=hood.id, slug=hood.slug, name_fr=hood.name_fr, name_en=hood.name_en,
                               population=hood.population, postcodes=list(hood.postcodes or []),
                               boundary=hood.boundary, retired=hood.retired_at is not None)


def category_public(category: Category) -> CategoryPublic:
    return CategoryPublic(slug=category.slug, name_fr=category.name_fr, name_en=category.name_en,
                          retired=category.retired_at is not None)


def account_public(view: AccountView) -> AccountPublic:
    account = view.account
    return AccountPublic(id=str(account.id), email=account.email, display_name=account.display_name,
                         active=account.is_active, verified=account.verified_at is not None,
                         verified_how=account.verified_how, roles=view.roles, neighbourhoods=view.neighbourhoods,
                         polling_stations=view.polling_stations)


def settings_public(settings: CitySettings) -> SettingsPublic:
    return SettingsPublic(**settings.__dict__)
