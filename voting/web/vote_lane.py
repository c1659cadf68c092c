"""The vote's own lane: ``POST /api/v1/ballots/{id}/votes`` answered without the framework's layers when all is well.

A vote is the one request a city sends by the hundred per second. Litestar's route, guard, signature model, body
parsing and response layers cost about a third of its CPU. This lane takes the request before them and does what
they would do for a well-formed vote by a logged-in voter: the same identity (:func:`auth.middleware.identify`),
the same cast (:func:`ballots.online_vote.cast_online_vote`), the same receipt and the same ``before_send`` hooks
(security headers) on the answer.

Anything else (no or bad token, a body that is not a flat JSON object of the vote's fields, an over-long
idempotency key, a vote refused, a database fault) is handed, with the body it has read, to the full application,
which answers exactly as it would have: its error, in the caller's language, with its status. A refused vote
writes nothing (the cast is one statement that either commits or not), so the full application meets the same
state and gives the same answer; an idempotency key makes even a replay of an accepted vote answer the same receipt.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar.types import Message, Receive, Scope, Send

from auth.middleware import identify
from auth.principal import Principal
from ballots.casting import CastReceipt
from ballots.online_vote import cast_online_vote
from voting.database import one_driver_connection
from voting.web.json_depth import JsonDepthGauge, JsonTooDeep

__all__ = ["VOTE_PATH", "answer_vote"]

VOTE_PATH = re.compile(r"/api/v1/ballots/([1-9][0-9]{0,9})/votes")
MAX_BODY = 64 * 1024  # a vote is a few hundred bytes; larger bodies take the full path (and its limits)
MAX_KEY = 200  # the API's Idempotency-Key limit
_FIELDS = {"projects": list, "points": dict, "blank": bool}
_SCALARS = (str, int, float)

Fallback = Callable[[Scope, Receive, Send], Awaitable[None]]


async def answer_vote(app: Any, ballot_id: int, scope: Scope, receive: Receive, send: Send,
                      fallback: Fallback) -> None:
    """Answer the vote in ``scope``, or hand it (with the body read so far) to ``fallback``, the full app."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more and size <= MAX_BODY:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    cast = None
    # Refused or failed before its commit: the full app answers it as it does. A fault after the commit (giving the
    # connection back) keeps the committed vote's receipt: handing it on would cast the vote a second time.
    with contextlib.suppress(Exception):
        async with one_driver_connection():  # the principal's read and the vote: one checkout
            if not more:
                cast = await _cast(app, ballot_id, scope, body)
    if cast is None:
        await fallback(scope, _replay(body, more, receive), send)
        return
    payload = json.dumps({"ballot_id": cast.ballot_id, "receipt": cast.receipt, "commitment": cast.commitment,
                          "replaced_previous": cast.replaced_previous, "replayed": cast.replayed,
                          "channel": cast.channel}, separators=(",", ":")).encode()
    out = app._wrap_send(send, scope)  # the app's before_send hooks: the security headers every answer gets
    await out({"type": "http.response.start", "status": 201,
               "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await out({"type": "http.response.body", "body": payload, "more_body": False})


async def _cast(app: Any, ballot_id: int, scope: Scope, body: bytes) -> CastReceipt | None:
    """The committed vote, or None when the request is not the plain case (the full app will answer it)."""
    headers = await identify(scope, app)
    principal = scope.get("user")
    if not isinstance(principal, Principal) or scope.get("auth") != "bearer":
        return None
    if not headers.get("content-type", "application/json").startswith("application/json"):
        return None
    key = headers.get("idempotency-key")
    if key is not None and (len(key) > MAX_KEY or [name for name, _ in scope["headers"]
                                                   if name.lower() == b"idempotency-key"][1:]):
        return None  # too long, or given twice (the framework reads the first, ``headers`` holds the last)
    choice = _choice(body)
    if choice is None:
        return None
    return await cast_online_vote(app.state.session_maker, principal, ballot_id, choice, key)


def _choice(body: bytes) -> dict[str, Any] | None:
    """The vote's fields if the body is a JSON object of them with their plain types and flat contents."""
    try:  # decoded as the framework decodes it (UTF-8 only, no NaN, no BOM), its nesting as deep as it allows
        JsonDepthGauge().feed(body)
        data = msgspec.json.decode(body)
    except (msgspec.DecodeError, JsonTooDeep):
        return None
    if not isinstance(data, dict):
        return None
    choice: dict[str, Any] = {}
    for name, value in data.items():
        kind = _FIELDS.get(name)
        if kind is None or value is None:
            continue  # unknown fields are ignored, as the API's schema does; None is "not given"
        if type(value) is not kind:
            return None
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        if not all(isinstance(v, _SCALARS) for v in items):
            return None
        choice[name] = value
    return choice


def _replay(body: bytes, more: bool, receive: Receive) -> Receive:
    """A receive that gives the body already read, then whatever the client still sends."""
    pending = [{"type": "http.request", "body": body, "more_body": more}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()  # type: ignore[return-value]

    return replayed  # type: ignore[return-value]
