"""Browser pages for login, registration and logout."""

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
from auth.service import (
    AccountError,
    LoginRefused,
    RegistrationClosed,
    TooManyAttempts,
    authenticate,
    issue_for,
    register_citizen,
    revoke,
)
from auth.tokens import KeyRing
from voting.database import DBSession
from voting.web.pages import safe_next

__all__ = ["AuthPages"]


class LoginForm(BaseModel):
    email: str = ""
    password: str = ""
    next: str = "/"


class RegisterForm(BaseModel):
    email: str = ""
    password: str = ""
    display_name: str = ""


def _logged_in(request: Request[Any, Any, Any], ring: KeyRing, account: Any, target: str) -> Redirect:
    settings = request.app.state.settings
    issued = issue_for(ring, account, issuer=settings.issuer, audience=settings.audience,
                       ttl_seconds=settings.token_ttl_seconds)
    cookie = session_cookie(issued.token, settings.token_ttl_seconds, secure=request.url.scheme == "https")
    return Redirect(safe_next(target), cookies=[cookie])


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
        return _logged_in(request, key_ring, account, data.next)

    @get("/register", name="register")
    async def register_page(self) -> Template:
        return Template("register.html", context={"form": RegisterForm()})

    @post("/register", media_type=MediaType.HTML)
    async def register(self, request: Request[Any, Any, Any], db_session: DBSession, key_ring: CurrentKeyRing,
                       data: URLEncodedBody[RegisterForm]) -> Any:
        try:
            account = await register_citizen(db_session, email=data.email, password=data.password,
                                             display_name=data.display_name)
        except (AccountError, RegistrationClosed) as error:
            return Template("register.html", status_code=error.status_code,
                            context={"form": data, "error": error.message})
        return _logged_in(request, key_ring, account, "/")

    @post("/logout", guards=[requires_login])
    async def logout(self, request: Request[Any, Any, Any], db_session: DBSession) -> Redirect:
        await revoke(db_session, current_principal(request))
        return Redirect("/", cookies=[expired_session_cookie(secure=request.url.scheme == "https")])
