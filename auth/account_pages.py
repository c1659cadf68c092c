"""The resident's account page: profile, notification choices, password, confirmation, data download, deletion."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel

from auth.account_data import delete_account, export_data
from auth.dependencies import CurrentKeyRing
from auth.guards import current_principal, requires_login
from auth.middleware import expired_session_cookie
from auth.pages import field_errors, logged_in
from auth.registration import neighbourhood_choices, resend_confirmation
from auth.rules import AccountError
from auth.self_service import change_password, own_account, profile_of, update_profile
from auth.service import TooManyAttempts
from voting.database import DBSession
from voting.domain import Conflict, DomainError

__all__ = ["AccountPages"]


class ProfileForm(BaseModel):
    display_name: str = ""
    language: str = ""
    neighbourhood: str = ""
    birth_date: str = ""
    notify_ballot_opened: bool = False
    notify_results: bool = False


class PasswordForm(BaseModel):
    current_password: str = ""
    new_password: str = ""


class DeleteForm(BaseModel):
    password: str = ""


def _changes(form: ProfileForm) -> dict[str, Any]:
    """Every field of the form; a neighbourhood or birth date left empty stays as it was."""
    return {key: value for key, value in form.model_dump().items()
            if value != "" or key not in ("neighbourhood", "birth_date")}


async def _page(request: Request[Any, Any, Any], db_session: DBSession, *, status: int = 200, done: str = "",
                errors: dict[str, str] | None = None, form: dict[str, Any] | None = None) -> Template:
    account = await own_account(db_session, current_principal(request))
    profile = {**await profile_of(db_session, account), **(form or {})}
    return Template("account/index.html", status_code=status, context={
        "profile": profile, "hoods": await neighbourhood_choices(db_session), "errors": errors or {}, "done": done})


class AccountPages(Controller):
    include_in_schema = False
    guards = [requires_login]

    @get("/account", name="account")
    async def show(self, request: Request[Any, Any, Any], db_session: DBSession,
                   done: Annotated[str, QueryParameter()] = "") -> Template:
        return await _page(request, db_session, done=done[:20])

    @post("/account", media_type=MediaType.HTML)
    async def update(self, request: Request[Any, Any, Any], db_session: DBSession,
                     data: URLEncodedBody[ProfileForm]) -> Any:
        try:
            await update_profile(db_session, current_principal(request), _changes(data))
        except DomainError as error:
            return await _page(request, db_session, status=error.status_code, errors=field_errors(error),
                               form=data.model_dump())
        return Redirect("/account?done=profile")

    @post("/account/password", media_type=MediaType.HTML)
    async def password(self, request: Request[Any, Any, Any], db_session: DBSession, key_ring: CurrentKeyRing,
                       data: URLEncodedBody[PasswordForm]) -> Any:
        try:
            account = await change_password(db_session, current_principal(request),
                                            current=data.current_password, new=data.new_password)
        except (AccountError, TooManyAttempts) as error:
            return await _page(request, db_session, status=error.status_code, errors=field_errors(error))
        return logged_in(request, key_ring, account, "/account?done=password")

    @post("/account/confirmation", media_type=MediaType.HTML)
    async def resend(self, request: Request[Any, Any, Any], db_session: DBSession) -> Any:
        try:
            await resend_confirmation(db_session, current_principal(request))
        except (Conflict, TooManyAttempts) as error:
            return await _page(request, db_session, status=error.status_code, errors=field_errors(error))
        return Redirect("/account?done=mail")

    @get("/account/data", name="account-data")
    async def data(self, request: Request[Any, Any, Any], db_session: DBSession) -> Response[dict[str, Any]]:
        body = await export_data(db_session, current_principal(request))
        return Response(body, media_type=MediaType.JSON,
                        headers={"Content-Disposition": 'attachment; filename="my-greenballot-data.json"'})

    @get("/account/delete", name="account-delete")
    async def delete_page(self) -> Template:
        return Template("account/delete.html", context={"errors": {}})

    @post("/account/delete", media_type=MediaType.HTML)
    async def delete(self, request: Request[Any, Any, Any], db_session: DBSession,
                     data: URLEncodedBody[DeleteForm]) -> Any:
        try:
            await delete_account(db_session, current_principal(request), password=data.password)
        except DomainError as error:
            return Template("account/delete.html", status_code=error.status_code,
                            context={"errors": field_errors(error)})
        request.scope["user"] = None  # the page after is shown to nobody: the account is gone
        return Template("account/deleted.html",
                        cookies=[expired_session_cookie(secure=request.url.scheme == "https")])
