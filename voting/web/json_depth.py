"""JSON bodies nested deeper than any real request are refused (400) while they arrive, before a decoder recurses."""

from __future__ import annotations

import re

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from voting.domain import DomainError
from voting.i18n import gettext as _

__all__ = ["MAX_JSON_DEPTH", "JsonTooDeep", "JsonDepthGauge", "JsonDepthMiddleware"]

MAX_JSON_DEPTH = 32
"""No greenballot request body is nested more than a few levels; msgspec recurses until Python's limit (a 500)."""

_TOKENS = re.compile(rb'\\.|["\[\]{}]', re.S)


class JsonTooDeep(DomainError):
    status_code = 400

    def __init__(self, limit: int) -> None:
        super().__init__(_("The JSON body is nested more than {limit} levels deep.").format(limit=limit))


class JsonDepthGauge:
    """Follows the nesting of a JSON text fed in chunks (strings and escapes skipped); raises past ``limit``."""

    def __init__(self, limit: int = MAX_JSON_DEPTH) -> None:
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self.carry = b""
        self.openers = 0

    def feed(self, chunk: bytes) -> None:
        self.openers += chunk.count(b"[") + chunk.count(b"{")
        if self.openers <= self.limit and not self.carry and b"\\" not in chunk and not self.in_string \
                and b'"' not in chunk:
            self.depth += chunk.count(b"[") + chunk.count(b"{") - chunk.count(b"]") - chunk.count(b"}")
            return  # fewer openers than the limit in the whole body so far: no need to look closer
        data, self.carry = self.carry + chunk, b""
        end = 0
        for match in _TOKENS.finditer(data):
            end = match.end()
            token = match.group()
            if token == b'"':
                self.in_string = not self.in_string
            elif self.in_string or len(token) == 2:
                continue
            elif token in (b"[", b"{"):
                self.depth += 1
                if self.depth > self.limit:
                    raise JsonTooDeep(self.limit)
            else:
                self.depth -= 1
        if data.endswith(b"\\") and end < len(data):
            self.carry = b"\\"  # an escape cut by the chunk boundary: its second byte comes next


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-type":
            media = value.split(b";")[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


class JsonDepthMiddleware(ASGIMiddleware):
    """Watches the request body as the handler reads it; the refusal goes through the app's exception handlers."""

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method") in ("GET", "HEAD", "OPTIONS") or not _is_json(scope):
            await next_app(scope, receive, send)
            return
        gauge = JsonDepthGauge()

        async def measured_receive() -> ReceiveMessage:
            message = await receive()
            if message["type"] == "http.request":
                gauge.feed(message.get("body", b""))  # type: ignore[arg-type]
            return message

        await next_app(scope, measured_receive, send)
