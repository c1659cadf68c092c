"""Security headers on every response (pages, API, errors, redirects, static files), set as the answer leaves."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from litestar.types import Message, Scope

from auth.clients import Network, parse_trusted_proxies
from voting.maps.rules import tile_source
from voting.presentation import current_style

__all__ = ["STATIC_DIR", "CONTENT_SECURITY_POLICY", "MAIL_PREVIEW_POLICY", "HSTS", "security_headers_hook", "is_https",
           "policy_for"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""Style sheet, scripts moved out of the templates, vendored Swagger UI; served at /static/."""

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                           "base-uri 'none'; object-src 'none'")
"""No inline script or style anywhere: pages load /static/js and /static/css only."""

MAIL_PREVIEW_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
"""The demo mailbox shows a message's HTML in a sandboxed ``srcdoc`` iframe, which inherits the page's policy;
mail HTML needs inline styles (mail clients ignore style sheets). Scripts stay refused (and the sandbox forbids
them too)."""

HSTS = "max-age=31536000"
"""A year; no ``includeSubDomains``: a city's other sites under the same domain are not ours to decide for."""

_SESSION_COOKIE = b"gb_session="


def policy_for(path: str, tiles: str = "") -> str:
    """The policy of an answer; ``tiles`` (the city's base-map URL) adds the tiles' host to ``img-src``."""
    if path.startswith("/dev/mail/"):
        return MAIL_PREVIEW_POLICY
    source = tile_source(tiles)
    if source:
        return CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {source}")
    return CONTENT_SECURITY_POLICY


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def _peer_trusted(scope: Scope, trusted: Sequence[Network]) -> bool:
    client = scope.get("client")
    if not client or not trusted:
        return False
    try:
        peer = ipaddress.ip_address(str(client[0]))
    except ValueError:
        return False
    return any(peer.version == net.version and peer in net for net in trusted)


def is_https(scope: Scope, trusted: Sequence[Network]) -> bool:
    """Served over https: directly, or behind one of ``GREENBALLOT_TRUSTED_PROXIES`` saying so in
    X-Forwarded-Proto (the last value: the one our own proxy appended). Anyone else's header is not believed."""
    if scope.get("scheme") == "https":
        return True
    if not _peer_trusted(scope, trusted):
        return False
    proto = _headers(scope).get(b"x-forwarded-proto", b"").decode("latin-1")
    return proto.split(",")[-1].strip().lower() == "https"


def _authenticated(scope: Scope, request_headers: dict[bytes, bytes]) -> bool:
    return bool(scope.get("user")) or b"authorization" in request_headers \
        or _SESSION_COOKIE in request_headers.get(b"cookie", b"")


def _secure_cookie(value: bytes) -> bytes:
    attributes = [part.strip().lower() for part in value.split(b";")]
    return value if b"secure" in attributes else value + b"; Secure"


def security_headers_hook(trusted_proxies: str = "") -> Callable[[Message, Scope], Awaitable[None]]:
    """A Litestar ``before_send`` hook: it wraps the app's own ``send``, so every answer gets the headers, even
    the 404/405 of the router and the exception handlers' pages, which no route middleware sees."""
    trusted = parse_trusted_proxies(trusted_proxies)

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        path = str(scope.get("path", ""))
        https = is_https(scope, trusted)
        request_headers = _headers(scope)
        headers: list[tuple[bytes, bytes]] = []
        for name, value in message.get("headers", []):
            lowered = name.lower()
            if lowered in (b"content-security-policy", b"x-frame-options", b"x-content-type-options",
                           b"referrer-policy", b"strict-transport-security"):
                continue  # ours are the only ones
            if lowered == b"set-cookie" and https:
                value = _secure_cookie(value)
            headers.append((name, value))
        headers += [(b"content-security-policy", policy_for(path, current_style().map_tiles).encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin")]
        if https:
            headers.append((b"strict-transport-security", HSTS.encode()))
        if not path.startswith("/static/") and _authenticated(scope, request_headers):
            headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
            headers.append((b"cache-control", b"no-store"))
        message["headers"] = headers

    return add_security_headers
