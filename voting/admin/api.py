"""JSON API for city administration (admins only), the public neighbourhood list and the published keys."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

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
from voting.admin.schemas import (
    AccountPublic,
    CategoryCreate,
    CategoryPublic,
    CategoryRename,
    KeyPublic,
    NeighbourhoodCreate,
    NeighbourhoodPublic,
    NeighbourhoodUpdate,
    RoleChange,
    ScopeChange,
    SettingsPublic,
    SettingsUpdate,
    Verification,
)
from voting.admin.settings import load_city_settings, update_city_settings
from voting.admin.views import account_public, actor_of, category_public, neighbourhood_public, settings_public
from voting.city import list_neighbourhoods
from voting.database import DBSession

__all__ = ["AdminAPI", "PublicCityAPI"]

Req = Request[Any, Any, Any]


class AdminAPI(Controller):
    path = "/api/v1/admin"
    tags = ["administration"]
    guards = [requires_admin]

    @get("/neighbourhoods", operation_id="adminListNeighbourhoods")
    async def neighbourhoods(self, db_session: DBSession) -> list[NeighbourhoodPublic]:
        return [neighbourhood_public(h) for h in await list_neighbourhoods(db_session, include_retired=True)]

    @post("/neighbourhoods", operation_id="createNeighbourhood")
    async def create_neighbourhood(self, request: Req, db_session: DBSession,
                                   data: JSONBody[NeighbourhoodCreate]) -> NeighbourhoodPublic:
        hood = await hood_service.create_neighbourhood(db_session, actor=actor_of(current_principal(request)),
                                                       **data.model_dump())
        return neighbourhood_public(hood)

    @patch("/neighbourhoods/{slug:str}", operation_id="updateNeighbourhood")
    async def update_neighbourhood(self, request: Req, db_session: DBSession, slug: FromPath[str],
                                   data: JSONBody[NeighbourhoodUpdate]) -> NeighbourhoodPublic:
        hood = await hood_service.update_neighbourhood(db_session, actor=actor_of(current_principal(request)),
                                                       slug=slug, **data.model_dump(exclude_unset=True))
        return neighbourhood_public(hood)

    @post("/neighbourhoods/{slug:str}/retire", operation_id="retireNeighbourhood", status_code=200)
    async def retire_neighbourhood(self, request: Req, db_session: DBSession,
                                   slug: FromPath[str]) -> NeighbourhoodPublic:
        hood = await hood_service.retire_neighbourhood(db_session, actor=actor_of(current_principal(request)),
                                                       slug=slug)
        return neighbourhood_public(hood)

    @get("/categories", operation_id="adminListCategories")
    async def categories(self, db_session: DBSession) -> list[CategoryPublic]:
        return [category_public(c) for c in await category_service.list_categories(db_session)]

    @post("/categories", operation_id="createCategory")
    async def create_category(self, request: Req, db_session: DBSession,
                              data: JSONBody[CategoryCreate]) -> CategoryPublic:
        category = await category_service.create_category(db_session, actor=actor_of(current_principal(request)),
                                                          **data.model_dump())
        return category_public(category)

    @patch("/categories/{slug:str}", operation_id="renameCategory")
    async def rename_category(self, request: Req, db_session: DBSession, slug: FromPath[str],
                              data: JSONBody[CategoryRename]) -> CategoryPublic:
        category = await category_service.rename_category(db_session, actor=actor_of(current_principal(request)),
                                                          slug=slug, **data.model_dump())
        return category_public(category)

    @post("/categories/{slug:str}/retire", operation_id="retireCategory", status_code=200)
    async def retire_category(self, request: Req, db_session: DBSession, slug: FromPath[str]) -> CategoryPublic:
        category = await category_service.retire_category(db_session, actor=actor_of(current_principal(request)),
                                                          slug=slug)
        return category_public(category)

    @delete("/categories/{slug:str}", operation_id="deleteCategory", status_code=204)
    async def delete_category(self, request: Req, db_session: DBSession, slug: FromPath[str]) -> None:
        await category_service.delete_category(db_session, actor=actor_of(current_principal(request)), slug=slug)

    @get("/accounts", operation_id="findAccounts")
    async def accounts(self, db_session: DBSession, q: Annotated[str, QueryParameter(max_length=200)] = "",
                       role: Annotated[str | None, QueryParameter()] = None) -> list[AccountPublic]:
        return [account_public(v) for v in await find_accounts(db_session, q, role)]

    @post("/accounts/{account_id:uuid}/roles", operation_id="grantRole", status_code=200)
    async def grant(self, request: Req, db_session: DBSession, account_id: FromPath[uuid.UUID],
                    data: JSONBody[RoleChange]) -> AccountPublic:
        return account_public(await grant_role(db_session, actor=actor_of(current_principal(request)),
                                               account_id=account_id, role=data.role))

    @delete("/accounts/{account_id:uuid}/roles/{role:str}", operation_id="revokeRole", status_code=200)
    async def revoke(self, request: Req, db_session: DBSession, account_id: FromPath[uuid.UUID],
                     role: FromPath[str]) -> AccountPublic:
        return account_public(await revoke_role(db_session, actor=actor_of(current_principal(request)),
                                                account_id=account_id, role=role))

    @put("/accounts/{account_id:uuid}/neighbourhoods", operation_id="scopeModerator")
    async def scope(self, request: Req, db_session: DBSession, account_id: FromPath[uuid.UUID],
                    data: JSONBody[ScopeChange]) -> AccountPublic:
        return account_public(await set_moderator_scope(db_session, actor=actor_of(current_principal(request)),
                                                        account_id=account_id, slugs=data.neighbourhoods))

    @put("/accounts/{account_id:uuid}/polling-stations", operation_id="scopePollOfficer")
    async def poll_scope(self, request: Req, db_session: DBSession, account_id: FromPath[uuid.UUID],
                         data: JSONBody[ScopeChange]) -> AccountPublic:
        return account_public(await set_poll_officer_scope(db_session, actor=actor_of(current_principal(request)),
                                                           account_id=account_id, slugs=data.neighbourhoods))

    @post("/accounts/{account_id:uuid}/disable", operation_id="disableAccount", status_code=200)
    async def disable(self, request: Req, db_session: DBSession, account_id: FromPath[uuid.UUID]) -> AccountPublic:
        return account_public(await set_active(db_session, actor=actor_of(current_principal(request)),
                                               account_id=account_id, active=False))

    @post("/accounts/{account_id:uuid}/enable", operation_id="enableAccount", status_code=200)
    async def enable(self, request: Req, db_session: DBSession, account_id: FromPath[uuid.UUID]) -> AccountPublic:
        return account_public(await set_active(db_session, actor=actor_of(current_principal(request)),
                                               account_id=account_id, active=True))

    @post("/accounts/{account_id:uuid}/verify", operation_id="verifyAccount", status_code=200)
    async def verify(self, request: Req, db_session: DBSession, account_id: FromPath[uuid.UUID],
                     data: JSONBody[Verification]) -> AccountPublic:
        return account_public(await mark_verified(db_session, actor=actor_of(current_principal(request)),
                                                  account_id=account_id, how=data.how))

    @get("/settings", operation_id="getSettings")
    async def settings(self, db_session: DBSession) -> SettingsPublic:
        return settings_public(await load_city_settings(db_session))

    @put("/settings", operation_id="updateSettings")
    async def update_settings(self, request: Req, db_session: DBSession,
                              data: JSONBody[SettingsUpdate]) -> SettingsPublic:
        principal = current_principal(request)
        return settings_public(await update_city_settings(db_session, actor=actor_of(principal),
                                                          actor_id=principal.id,
                                                          changes=data.model_dump(exclude_none=True)))


class PublicCityAPI(Controller):
    tags = ["city"]

    @get("/api/v1/neighbourhoods", operation_id="listNeighbourhoods")
    async def neighbourhoods(self, db_session: DBSession) -> list[NeighbourhoodPublic]:
        return [neighbourhood_public(h) for h in await list_neighbourhoods(db_session)]

    @get("/.well-known/greenballot-keys.json", operation_id="publishedKeys")
    async def keys(self, db_session: DBSession) -> list[KeyPublic]:
        """Every Ed25519 public key greenballot has made, current and retired: export and checkpoint signing keys,
        and token keys (tokens name one by its id and carry an HMAC made with a secret derived for it)."""
        return [KeyPublic(**key) for key in await published_keys(db_session)]  # type: ignore[arg-type]
