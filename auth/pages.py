"""Browser pages for login, registration, e-mail confirmation, password reset, logout and the privacy notice."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel

from auth.api import client_address
from auth.dependencies import CurrentKeyRing
from auth.guards import current_principal, requires_login
from auth.middleware import expired_session_cookie, session_cookie
from auth.registration import Registration, confirm_email, neighbourhood_choices, register
from auth.rules import AccountError
from auth.self_service import request_password_reset, reset_password
from auth.service import LoginRefused, RegistrationClosed, TooManyAttempts, authenticate, issue_for, revoke
from auth.tokens import KeyRing
from voting.database import DBSession
from voting.domain import DomainError
from voting.web.pages import safe_next

__all__ = ["AuthPages", "logged_in", "field_errors"]


class LoginForm(BaseModel):
    email: str = ""
    password: str = ""
    next: str = "/"


class RegisterForm(BaseModel):
    email: str = ""
    password: str = ""
    display_name: str = ""
    neighbourhood: str = ""
    postcode: str = ""
    birth_date: str = ""
    document_id: str = ""
    consent: str = ""


class ResetRequestForm(BaseModel):
    email: str = ""


class ResetForm(BaseModel):
    token: str = ""
    new_password: str = ""


def logged_in(request: Request[Any, Any, Any], ring: KeyRing, account: Any, target: str) -> Redirect:
    settings = request.app.state.settings
    issued = issue_for(ring, account, issuer=settings.issuer, audience=settings.audience,
                       ttl_seconds=settings.token_ttl_seconds)
    cookie = session_cookie(issued.token, settings.token_ttl_seconds, secure=request.url.scheme == "https")
    return Redirect(safe_next(target), cookies=[cookie])


def field_errors(error: DomainError) -> dict[str, str]:
    """The message under the field it concerns (``form`` when it concerns the whole form)."""
    field = getattr(error, "field", None) or "form"
    return {field: error.message}


def _registration(form: RegisterForm) -> Registration:
    return Registration(email=form.email, password=form.password, display_name=form.display_name,
                        birth_date=form.birth_date or None, neighbourhood=form.neighbourhood or None,
                        postcode=form.postcode or None, document_id=form.document_id or None,
                        consent=bool(form.consent))


class AuthPages(Controller):
    include_in_schema = False

    @get("/login", name="login")
    async def login_page(self, next_: Annotated[str, QueryParameter(name="next")] = "/") -> Template:
        return Template("login.html", context={"next": safe_next(next_), "email": ""})

    @post("/login", media_type=MediaType.HTML)
    async def login(self, request: Request[Any, Any, Any], db_session: DBSession, key_ring: CurrentKeyRing,
                    data: URLEncodedBody[LoginForm]) -> Any:
        try:
            account = await authenticate(db_session, email=data.email, password=data.password,
                                         client=client_address(request))
        except (LoginRefused, TooManyAttempts) as error:
            return Template("login.html", status_code=error.status_code,
                            context={"next": safe_next(data.next), "email": data.email, "error": error.message})
        return logged_in(request, key_ring, account, data.next)

    @get("/register", name="register")
    async def register_page(self, db_session: DBSession) -> Template:
        return Template("register.html", context={"form": RegisterForm(), "errors": {},
                                                  "hoods": await neighbourhood_choices(db_session)})

    @post("/register", media_type=MediaType.HTML)
    async def register(self, request: Request[Any, Any, Any], db_session: DBSession,
                       data: URLEncodedBody[RegisterForm]) -> Template:
        try:
            email = await register(db_session, _registration(data), client=client_address(request))
        except (AccountError, RegistrationClosed, TooManyAttempts) as error:
            return Template("register.html", status_code=error.status_code, context={
                "form": data, "errors": field_errors(error), "hoods": await neighbourhood_choices(db_session)})
        return Template("account/registered.html", context={"email": email})

    @get("/account/confirm", name="confirm-email")
    async def confirm(self, db_session: DBSession, token: Annotated[str, QueryParameter()] = "") -> Template:
        try:
            await confirm_email(db_session, token)
        except AccountError as error:
            return Template("account/confirmed.html", status_code=400, context={"error": error.message})
        return Template("account/confirmed.html", context={"error": None})

    @get("/password-reset", name="password-reset")
    async def reset_request_page(self) -> Template:
        return Template("account/password_reset.html", context={"email": "", "sent": False, "error": None})

    @post("/password-reset", media_type=MediaType.HTML)
    async def reset_request(self, request: Request[Any, Any, Any], db_session: DBSession,
                            data: URLEncodedBody[ResetRequestForm]) -> Template:
        try:
            await request_password_reset(db_session, data.email, client=client_address(request))
        except TooManyAttempts as error:
            return Template("account/password_reset.html", status_code=429,
                            context={"email": data.email, "sent": False, "error": error.message})
        return Template("account/password_reset.html", context={"email": data.email, "sent": True, "error": None})

    @get("/password-reset/new", name="password-reset-new")
    async def reset_page(self, token: Annotated[str, QueryParameter()] = "") -> Template:
        return Template("account/password_new.html", context={"token": token, "errors": {}})

    @post("/password-reset/new", media_type=MediaType.HTML)
    async def reset(self, request: Request[Any, Any, Any], db_session: DBSession, key_ring: CurrentKeyRing,
                    data: URLEncodedBody[ResetForm]) -> Any:
        try:
            account = await reset_password(db_session, data.token, data.new_password)
        except AccountError as error:
            return Template("account/password_new.html", status_code=400,
                            context={"token": data.token, "errors": field_errors(error)})
        return logged_in(request, key_ring, account, "/account?done=password")

    @get("/privacy", name="privacy")
    async def privacy(self) -> Template:
        return Template("account/privacy.html")

    @post("/logout", guards=[requires_login])
    async def logout(self, request: Request[Any, Any, Any], db_session: DBSession) -> Redirect:
        await revoke(db_session, current_principal(request))
        return Redirect("/", cookies=[expired_session_cookie(secure=request.url.scheme == "https")])
