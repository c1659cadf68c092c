"""Admin pages: neighbourhoods, categories, people and roles, settings and keys (admins only)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from auth.admin import (
    find_accounts,
    grant_role,
    mark_verified,
    revoke_role,
    set_active,
    set_moderator_scope,
    set_poll_officer_scope,
)
from auth.guards import current_principal, requires_admin
from auth.keys import published_keys
from voting.admin import categories as category_service
from voting.admin import neighbourhoods as hood_service
from voting.admin.rules import AdminInputError
from voting.admin.settings import load_city_settings, update_city_settings
from voting.admin.views import actor_of
from voting.city import list_neighbourhoods
from voting.database import DBSession
from voting.domain import DomainError
from voting.i18n import gettext as _

__all__ = ["AdminPages"]

Req = Request[Any, Any, Any]


class NeighbourhoodForm(BaseModel):
    slug: str = ""
    name_fr: str = ""
    name_en: str = ""
    population: str = ""
    postcodes: str = ""
    boundary: str = ""


class CategoryForm(BaseModel):
    slug: str = ""
    name_fr: str = ""
    name_en: str = ""


class PersonForm(BaseModel):
    action: str = ""
    role: str = ""
    neighbourhoods: list[str] | str = []
    how: str = ""


class SettingsForm(BaseModel):
    city_name: str = ""
    default_language: str = "fr"
    currency: str = "EUR"
    min_voting_age: str = "16"
    self_registration_open: str = ""
    time_zone: str = "Europe/Paris"
    comment_hide_after_reports: str = "3"
    map_tiles_url: str = ""
    map_attribution: str = ""


def _again(template: str, error: Exception, context: dict[str, Any]) -> Template:
    """The form again, as it was typed, with the reason it was refused."""
    if isinstance(error, DomainError):
        status, message = error.status_code, error.message
    else:  # a slug (or name) that another row already holds
        status, message = 409, _("This conflicts with something already recorded.")
    return Template(template, status_code=status, context={"done": None, **context, "error": message})


def _population(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise AdminInputError(_("The population must be a positive number."))
    return int(text)


def _boundary(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        raise AdminInputError(_("The boundary is not valid JSON.")) from error


class AdminPages(Controller):
    path = "/admin"
    guards = [requires_admin]
    include_in_schema = False

    @get("/", name="admin")
    async def index(self) -> Template:
        return Template("admin/index.html")

    @get("/neighbourhoods")
    async def neighbourhoods(self, db_session: DBSession,
                             done: Annotated[str | None, QueryParameter()] = None) -> Template:
        hoods = await list_neighbourhoods(db_session, include_retired=True)
        return Template("admin/neighbourhoods.html", context={"hoods": hoods, "done": done})

    @post("/neighbourhoods")
    async def create_neighbourhood(self, request: Req, db_session: DBSession,
                                   data: URLEncodedBody[NeighbourhoodForm]) -> Any:
        try:
            await hood_service.create_neighbourhood(
                db_session, actor=actor_of(current_principal(request)), slug=data.slug, name_fr=data.name_fr,
                name_en=data.name_en or data.name_fr, population=_population(data.population),
                boundary=_boundary(data.boundary), postcodes=data.postcodes.replace(";", ",").split(","))
        except (DomainError, IntegrityError) as error:
            await db_session.rollback()
            hoods = await list_neighbourhoods(db_session, include_retired=True)
            return _again("admin/neighbourhoods.html", error, {"hoods": hoods, "form": data})
        return Redirect(f"/admin/neighbourhoods?done={data.slug}")

    @post("/neighbourhoods/{slug:str}/retire")
    async def retire_neighbourhood(self, request: Req, db_session: DBSession, slug: FromPath[str]) -> Redirect:
        await hood_service.retire_neighbourhood(db_session, actor=actor_of(current_principal(request)), slug=slug)
        return Redirect(f"/admin/neighbourhoods?done={slug}")

    @get("/categories")
    async def categories(self, db_session: DBSession, done: Annotated[str | None, QueryParameter()] = None) -> Template:
        return Template("admin/categories.html",
                        context={"categories": await category_service.list_categories(db_session), "done": done})

    @post("/categories")
    async def create_category(self, request: Req, db_session: DBSession,
                              data: URLEncodedBody[CategoryForm]) -> Any:
        try:
            await category_service.create_category(db_session, actor=actor_of(current_principal(request)),
                                                   slug=data.slug, name_fr=data.name_fr,
                                                   name_en=data.name_en or data.name_fr)
        except (DomainError, IntegrityError) as error:
            await db_session.rollback()
            categories = await category_service.list_categories(db_session)
            return _again("admin/categories.html", error, {"categories": categories, "form": data})
        return Redirect(f"/admin/categories?done={data.slug}")

    @post("/categories/{slug:str}/retire")
    async def retire_category(self, request: Req, db_session: DBSession, slug: FromPath[str]) -> Redirect:
        await category_service.retire_category(db_session, actor=actor_of(current_principal(request)), slug=slug)
        return Redirect(f"/admin/categories?done={slug}")

    @get("/people")
    async def people(self, db_session: DBSession, q: Annotated[str, QueryParameter(max_length=200)] = "",
                     done: Annotated[str | None, QueryParameter()] = None) -> Template:
        people = await find_accounts(db_session, q)
        hoods = await list_neighbourhoods(db_session)
        return Template("admin/people.html", context={"people": people, "q": q, "hoods": hoods, "done": done})

    @post("/people/{account_id:uuid}")
    async def change_person(self, request: Req, db_session: DBSession, account_id: FromPath[uuid.UUID],
                            data: URLEncodedBody[PersonForm]) -> Redirect:
        actor = actor_of(current_principal(request))
        hoods = [data.neighbourhoods] if isinstance(data.neighbourhoods, str) else data.neighbourhoods
        actions = {
            "grant": lambda: grant_role(db_session, actor=actor, account_id=account_id, role=data.role),
            "revoke": lambda: revoke_role(db_session, actor=actor, account_id=account_id, role=data.role),
            "scope": lambda: set_moderator_scope(db_session, actor=actor, account_id=account_id,
                                                 slugs=[h for h in hoods if h]),
            "poll_scope": lambda: set_poll_officer_scope(db_session, actor=actor, account_id=account_id,
                                                         slugs=[h for h in hoods if h]),
            "disable": lambda: set_active(db_session, actor=actor, account_id=account_id, active=False),
            "enable": lambda: set_active(db_session, actor=actor, account_id=account_id, active=True),
            "verify": lambda: mark_verified(db_session, actor=actor, account_id=account_id, how=data.how),
        }
        if data.action not in actions:
            raise AdminInputError(_("Unknown action."))
        view = await actions[data.action]()
        return Redirect(f"/admin/people?q={view.account.email}&done={data.action}")

    @get("/settings")
    async def settings(self, db_session: DBSession, done: Annotated[str | None, QueryParameter()] = None) -> Template:
        return Template("admin/settings.html",
                        context={"settings": await load_city_settings(db_session), "done": done})

    @post("/settings")
    async def update_settings(self, request: Req, db_session: DBSession,
                              data: URLEncodedBody[SettingsForm]) -> Redirect | Template:
        try:
            await self._save_settings(request, db_session, data)
        except DomainError as error:
            await db_session.rollback()
            return _again("admin/settings.html", error, {"settings": data})  # what was typed, with the reason
        return Redirect("/admin/settings?done=1")

    @staticmethod
    async def _save_settings(request: Req, db_session: DBSession, data: SettingsForm) -> None:
        principal = current_principal(request)
        if not data.min_voting_age.strip().isdigit():
            raise AdminInputError(_("The minimum voting age must be a whole number from 0 to 25."))
        if not data.comment_hide_after_reports.strip().isdigit():
            raise AdminInputError(_("The number of reports that hides a comment must be a whole number from 1 to 100."))
        await update_city_settings(db_session, actor=actor_of(principal), actor_id=principal.id, changes={
            "city_name": data.city_name, "default_language": data.default_language, "currency": data.currency,
            "min_voting_age": int(data.min_voting_age), "self_registration_open": data.self_registration_open == "on",
            "map_tiles_url": data.map_tiles_url, "map_attribution": data.map_attribution,
            "time_zone": data.time_zone, "comment_hide_after_reports": int(data.comment_hide_after_reports)})

    @get("/keys")
    async def keys(self, db_session: DBSession) -> Template:
        return Template("admin/keys.html", context={"keys": await published_keys(db_session)})
