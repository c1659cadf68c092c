"""Forged and damaged access tokens, through the real identity middleware: every one is a 401, never a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auth.key_rotation import rotate_key
from auth.tokens import KeyRing
from tests.factories import bearer, make_account

pytestmark = pytest.mark.anyio
ME = "/api/v1/auth/me"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: dict[str, Any]) -> str:
    return b64(json.dumps(value).encode())


class Forger:
    """Signs whatever it is told, with the real current key unless told otherwise."""

    def __init__(self, ring: KeyRing, subject: uuid.UUID) -> None:
        self.ring, self.subject = ring, subject
        self.public_pem = ""  # the current token key's published Ed25519 public half, when a test fetched it

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {"sub": str(self.subject), "iss": "greenballot", "aud": "greenballot", "iat": now,
                                  "exp": now + 600, "jti": uuid.uuid4().hex}
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not DROP}

    def sign(self, claims: dict[str, Any] | None = None, *, key: bytes | None = None,
             kid: Any = None, header: dict[str, Any] | None = None) -> str:
        """An HS256 token; claims are serialised by hand so that odd types (1e30, strings) go through as is."""
        head = {"alg": "HS256", "typ": "JWT", "kid": self.ring.current_kid if kid is None else kid,
                **(header or {})}
        signing_input = f"{segment(head)}.{segment(self.claims() if claims is None else claims)}"
        mac = hmac.new(key or self.ring.current_secret, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64(mac)}"


DROP = object()


def alg_none(f: Forger) -> str:
    return f"{segment({'alg': 'none', 'typ': 'JWT', 'kid': f.ring.current_kid})}.{segment(f.claims())}."


def hs256_with_the_public_key(f: Forger) -> str:
    """The token key's Ed25519 public half is published (with every key): a MAC under it is no MAC of ours."""
    return f.sign(key=f.public_pem.encode())


def eddsa_with_a_key_of_its_own(f: Forger) -> str:
    """The former algorithm, signed by someone's own Ed25519 key: the algorithm is pinned to HS256."""
    signing_input = f"{segment({'alg': 'EdDSA', 'typ': 'JWT', 'kid': f.ring.current_kid})}.{segment(f.claims())}"
    return f"{signing_input}.{b64(Ed25519PrivateKey.generate().sign(signing_input.encode()))}"


def altered(token: str, index: int) -> str:
    head, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    raw[index] ^= 0x01
    return f"{head}.{payload}.{b64(bytes(raw))}"


def altered_payload(f: Forger) -> str:
    head, _, signature = f.sign().split(".")
    return f"{head}.{segment(f.claims(sub=str(uuid.uuid4())))}.{signature}"


NOW = int(time.time())
FORGERIES: dict[str, Callable[[Forger], str]] = {
    "alg none": alg_none,
    "HS256 signed with the published public key": hs256_with_the_public_key,
    "EdDSA signed with a key of its own": eddsa_with_a_key_of_its_own,
    "alg RS256 in the header": lambda f: f.sign(header={"alg": "RS256"}),
    "unknown kid": lambda f: f.sign(key=os.urandom(32), kid="tok-unknown"),
    "current kid, another key": lambda f: f.sign(key=os.urandom(32)),
    "no kid": lambda f: f.sign(header={"kid": None}),
    "kid not a string": lambda f: f.sign(kid=["x"]),
    "expired": lambda f: f.sign(f.claims(iat=NOW - 7200, exp=NOW - 3600)),
    "not yet valid: iat in the future": lambda f: f.sign(f.claims(iat=NOW + 3600, exp=NOW + 4200)),
    "exp as a string": lambda f: f.sign(f.claims(exp=str(NOW + 600))),
    "iat as a string": lambda f: f.sign(f.claims(iat=str(NOW))),
    "exp 1e30": lambda f: f.sign(f.claims(exp=1e30)),
    "exp as a float": lambda f: f.sign(f.claims(exp=NOW + 600.5)),
    "exp true": lambda f: f.sign(f.claims(exp=True)),
    "exp negative": lambda f: f.sign(f.claims(exp=-1)),
    "lifetime of ten years": lambda f: f.sign(f.claims(exp=NOW + 10 * 365 * 86400)),
    "missing sub": lambda f: f.sign(f.claims(sub=DROP)),
    "missing jti": lambda f: f.sign(f.claims(jti=DROP)),
    "missing aud": lambda f: f.sign(f.claims(aud=DROP)),
    "missing iss": lambda f: f.sign(f.claims(iss=DROP)),
    "missing exp": lambda f: f.sign(f.claims(exp=DROP)),
    "missing iat": lambda f: f.sign(f.claims(iat=DROP)),
    "wrong aud": lambda f: f.sign(f.claims(aud="someone-else")),
    "wrong iss": lambda f: f.sign(f.claims(iss="someone-else")),
    "sub not a uuid": lambda f: f.sign(f.claims(sub="admin")),
    "sub of nobody": lambda f: f.sign(f.claims(sub=str(uuid.uuid4()))),
    "jti not a string": lambda f: f.sign(f.claims(jti=12)),
    "jti too long": lambda f: f.sign(f.claims(jti="j" * 65)),
    "truncated signature": lambda f: f.sign()[:-10],
    "no signature": lambda f: f.sign().rsplit(".", 1)[0] + ".",
    "altered signature": lambda f: altered(f.sign(), 5),
    "altered payload": altered_payload,
    "not a JWT": lambda f: "not-a-token",
    "two segments": lambda f: ".".join(f.sign().split(".")[:2]),
    "header not JSON": lambda f: b64(b"{nope") + "." + f.sign().split(".", 1)[1],
}


async def status_of(client, token: str) -> int:  # type: ignore[no-untyped-def]
    return (await client.get(ME, headers={"Authorization": f"Bearer {token}"})).status_code


async def test_every_forgery_is_a_401(client, db_session):
    account = await make_account(db_session)
    forger = Forger(client._transport.app.state.key_ring, account.id)  # type: ignore[attr-defined]
    published = {key["kid"]: key for key in (await client.get("/.well-known/greenballot-keys.json")).json()}
    forger.public_pem = published[forger.ring.current_kid]["public_key"]
    assert await status_of(client, forger.sign()) == 200  # the forger signs what the server would accept
    answers = {name: await status_of(client, forge(forger)) for name, forge in FORGERIES.items()}
    assert {name: code for name, code in answers.items() if code != 401} == {}


async def test_a_page_with_a_forged_cookie_is_anonymous(client, db_session):
    account = await make_account(db_session)
    forger = Forger(client._transport.app.state.key_ring, account.id)  # type: ignore[attr-defined]
    client.cookies.set("gb_session", forger.sign(forger.claims(exp=1e30)))
    assert (await client.get("/account")).status_code in (302, 303, 401)


async def test_a_key_retired_past_its_grace_is_a_401(client, db_session):
    account = await make_account(db_session)
    old = Forger(client._transport.app.state.key_ring, account.id)  # type: ignore[attr-defined]
    token = old.sign()
    await rotate_key(db_session, purpose="tokens", actor="test", grace=timedelta(0))
    assert await status_of(client, token) == 401
    assert await status_of(client, old.sign()) == 401  # even freshly signed with the retired key


async def test_a_disabled_account_and_a_revoked_token_are_401(client, db_session):
    from auth.admin import set_active

    account = await make_account(db_session)
    headers = await bearer(client, account.email)
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get(ME, headers=headers)).status_code == 401
    headers = await bearer(client, account.email)
    await set_active(db_session, actor="test", account_id=account.id, active=False)
    assert (await client.get(ME, headers=headers)).status_code == 401
    decoded = jwt.decode(headers["Authorization"].split()[1], options={"verify_signature": False})
    assert decoded["sub"] == str(account.id)


async def test_forged_key_ids_do_not_reload_the_ring_on_every_request(client, db_session):
    app = client._transport.app  # type: ignore[attr-defined]
    account = await make_account(db_session)
    forger = Forger(app.state.key_ring, account.id)
    reload, reloads = app.state.reload_keys, []

    async def counted() -> None:
        reloads.append(1)
        await reload()

    app.state.reload_keys = counted
    for n in range(20):
        assert await status_of(client, forger.sign(key=os.urandom(32), kid=f"tok-forged-{n}")) == 401
    assert len(reloads) <= 1
