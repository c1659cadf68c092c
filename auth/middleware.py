"""Per-request identity and language: a Bearer header or the session cookie becomes ``request.user``."""

from __future__ import annotations

import functools
import time
from datetime import timedelta
from typing import Any

from litestar.datastructures import Cookie
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from auth.principal import Principal
from auth.principal_cache import principals
from auth.service import load_principal_until
from auth.tokens import TokenError, decode_token
from voting.admin.settings import cached_city_settings
from voting.database import driver_connection
from voting.i18n import choose_language, use_language
from voting.presentation import CityStyle, use_style

__all__ = ["SESSION_COOKIE", "IdentityMiddleware", "identify", "session_cookie", "expired_session_cookie", "read_token"]

SESSION_COOKIE = "gb_session"


def session_cookie(token: str, max_age: int, secure: bool) -> Cookie:
    return Cookie(key=SESSION_COOKIE, value=token, max_age=max_age, httponly=True, secure=secure,
                  samesite="strict", path="/")


def expired_session_cookie(secure: bool) -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", max_age=0, httponly=True, secure=secure, samesite="strict",
                  path="/")


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookies(header: str) -> dict[str, str]:
    jar: dict[str, str] = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            jar[name] = value
    return jar


def read_token(headers: dict[str, str], cookies: dict[str, str], path: str = "/") -> tuple[str | None, str]:
    """The token and where it came from: a Bearer header, or the session cookie on pages only.

    The JSON API is exempt from CSRF checks, so it never accepts the browser's cookie: only a Bearer header.
    """
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip(), "bearer"
    if path.startswith("/api/"):
        return None, "bearer"
    return cookies.get(SESSION_COOKIE) or None, "cookie"


RELOAD_INTERVAL = 1.0
"""Tokens naming an unknown key reload the ring at most once a second: forged key ids cannot make every request
read the key table."""


def _may_reload(state: Any) -> bool:
    now = time.monotonic()
    if now - state.get("keys_reloaded_at", -RELOAD_INTERVAL) < RELOAD_INTERVAL:
        return False
    state["keys_reloaded_at"] = now
    return True


async def _principal(app: Any, token: str) -> Principal | None:
    settings = app.state.settings
    for attempt in range(2):
        try:
            claims = decode_token(app.state.key_ring, token, issuer=settings.issuer, audience=settings.audience,
                                  max_lifetime=timedelta(seconds=settings.token_ttl_seconds))
        except TokenError as error:
            if attempt == 0 and "unknown key" in str(error) and _may_reload(app.state):
                await app.state.reload_keys()  # rotated by another process
                continue
            return None
        key = (claims.subject, claims.jti, claims.kid, (claims.issued_at or claims.expires_at).timestamp())
        return await principals.get_or_load(key, functools.partial(_load, app, claims))
    return None


async def _load(app: Any, claims: Any) -> tuple[Principal | None, float | None]:
    async with driver_connection(app.state.session_maker) as connection:
        return await load_principal_until(connection, claims)


async def identify(scope: Scope, app: Any) -> dict[str, str]:
    """Set the request's language and city style, and ``scope["user"]`` and ``scope["auth"]`` from its token;
    returns its headers (lower-cased names)."""
    headers = _headers(scope)
    cookies = _cookies(headers.get("cookie", ""))
    city = await cached_city_settings(app.state.session_maker)
    use_language(choose_language(cookies.get("lang"), headers.get("accept-language"), city.default_language))
    use_style(CityStyle(city.city_name, city.currency, city.time_zone, city.map_tiles_url, city.map_attribution))
    token, source = read_token(headers, cookies, scope.get("path", "/"))
    principal = await _principal(app, token) if token else None
    scope["user"] = principal
    scope["auth"] = source if principal else None
    return headers


class IdentityMiddleware(ASGIMiddleware):
    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        await identify(scope, scope["app"])
        await next_app(scope, receive, send)
