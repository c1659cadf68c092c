"""JWT access tokens: HS256 pinned, required claims, a ``kid`` header for key rotation.

Only the server reads its own tokens, so they are authenticated with a MAC, not signed: checking an Ed25519 signature
cost about 1.4 million instructions, half of all the work of a vote whose worker meets the voter's token for the
first time (one vote in two with two workers); an HMAC costs about thirty thousand. Each token key's MAC secret is
32 random bytes stored sealed under the key-encryption secret beside the key (``signing_key.mac_secret``): making a
token needs both the database and that secret, as signing one did; a key keeps its id, its retirement and its grace
period, after which its secret is wiped."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt

__all__ = ["ALGORITHM", "REQUIRED_CLAIMS", "MAX_LIFETIME", "TokenClaims", "TokenError", "KeyRing", "issue_token",
           "decode_token"]

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud", "jti"]
MAX_LIFETIME = timedelta(days=7)
"""No token is accepted whose ``exp`` is further than this from its ``iat``, whoever signed it."""
CLOCK_SKEW = timedelta(seconds=60)
"""How far in the future a token's ``iat`` may be (clocks of several hosts)."""


class TokenError(Exception):
    """The token is missing, malformed, expired, signed by an unknown key or for someone else."""


@dataclass(frozen=True)
class TokenClaims:
    subject: uuid.UUID
    jti: str
    expires_at: datetime
    kid: str
    issued_at: datetime | None = None


@dataclass
class KeyRing:
    """The MAC secret of each token key that still verifies, by key id; the current one authenticates new
    tokens; when each retired key stops verifying (its grace period's end)."""

    current_kid: str
    secrets: dict[str, bytes]
    verify_until: dict[str, datetime] = field(default_factory=dict)

    @property
    def current_secret(self) -> bytes:
        return self.secrets[self.current_kid]

    def verifies(self, kid: str, key: bytes | None = None, now: datetime | None = None) -> bool:
        """``kid`` is in the ring (with the secret ``key``, when given) and its grace period, if retired, has not
        ended."""
        known = self.secrets.get(kid)
        if known is None or (key is not None and known != key):
            return False
        deadline = self.verify_until.get(kid)
        return deadline is None or (now or datetime.now(UTC)) < deadline


def issue_token(ring: KeyRing, subject: uuid.UUID, *, issuer: str, audience: str, ttl: timedelta,
                now: datetime | None = None) -> tuple[str, TokenClaims]:
    now = now or datetime.now(UTC)
    jti = secrets.token_urlsafe(24)
    expires = now + ttl
    issued_ms = int(now.timestamp() * 1000)  # "iat" has whole seconds; ending older sessions needs finer
    claims = {"sub": str(subject), "iss": issuer, "aud": audience, "iat": int(now.timestamp()), "iat_ms": issued_ms,
              "exp": int(expires.timestamp()), "jti": jti}
    token = jwt.encode(claims, ring.current_secret, algorithm=ALGORITHM, headers={"kid": ring.current_kid})
    return token, TokenClaims(subject, jti, datetime.fromtimestamp(int(expires.timestamp()), UTC), ring.current_kid,
                              datetime.fromtimestamp(issued_ms / 1000, UTC))


_VERIFIED: OrderedDict[tuple[str, str, str], tuple[bytes, TokenClaims]] = OrderedDict()
VERIFIED_CACHE_SIZE = 20_000
"""Tokens whose MAC this process has checked, most recent last: a voter's next request skips parsing and checking
the token again. Expiry is still checked on every use, the key must still be in
the ring, and revocation and disabled accounts are read from the database on every request as before."""


def decode_token(ring: KeyRing, token: str, *, issuer: str, audience: str,
                 max_lifetime: timedelta = MAX_LIFETIME) -> TokenClaims:
    """Verify signature, algorithm, key, issuer, audience, expiry and lifetime; raise ``TokenError`` otherwise."""
    now = datetime.now(UTC)
    cached = _VERIFIED.get((token, issuer, audience))
    if cached is not None:
        key, claims = cached
        if ring.verifies(claims.kid, key, now) and now < claims.expires_at and _lifetime_ok(claims, max_lifetime):
            _VERIFIED.move_to_end((token, issuer, audience))
            return claims
        del _VERIFIED[(token, issuer, audience)]
    claims = _verify(ring, token, issuer=issuer, audience=audience, max_lifetime=max_lifetime)
    _VERIFIED[(token, issuer, audience)] = (ring.secrets[claims.kid], claims)
    if len(_VERIFIED) > VERIFIED_CACHE_SIZE:
        _VERIFIED.popitem(last=False)
    return claims


_HEADERS: dict[str, dict[str, object]] = {}
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


def _segment(text: str) -> bytes:
    """One base64url segment of a compact token, unpadded, strictly of that alphabet, and spelled as its bytes
    encode (the last character's unused bits clear, RFC 4648 3.5): a token has one spelling, as in PyJWT."""
    if not _SEGMENT.fullmatch(text):
        raise TokenError("malformed token")
    decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))  # binascii.Error on an impossible length
    if base64.urlsafe_b64encode(decoded).rstrip(b"=") != text.encode("ascii"):
        raise TokenError("malformed token")
    return decoded


def _no_constant(name: str) -> object:
    """NaN and the infinities are not JSON (RFC 8259): a token holding one is malformed."""
    raise TokenError(f"malformed token: {name}")


def _header(segment: str) -> dict[str, object]:
    """A token's header, parsed once per distinct header segment (one per key in practice)."""
    header = _HEADERS.get(segment)
    if header is None:
        parsed = json.loads(_segment(segment), parse_constant=_no_constant)
        if not isinstance(parsed, dict):
            raise TokenError("malformed token header")
        if len(_HEADERS) >= 64:  # forged headers cannot grow it without bound
            _HEADERS.clear()
        header = _HEADERS[segment] = parsed
    return header


def _lifetime_ok(claims: TokenClaims, max_lifetime: timedelta) -> bool:
    issued = claims.issued_at or claims.expires_at
    return claims.expires_at - issued <= max_lifetime + timedelta(seconds=1)


def _integer(claims: dict[str, object], name: str) -> int:
    value = claims.get(name)
    if type(value) is not int or not 0 < value < 2**36:  # a whole number of seconds before the year 4000
        raise TokenError(f"the {name!r} claim must be a whole number of seconds")
    return value


def _issued_at(claims: dict[str, object], iat: int) -> datetime:
    """When the token was issued, to the millisecond when it says so (tokens before ``iat_ms``: the second)."""
    exact = claims.get("iat_ms")
    if type(exact) is int and abs(exact // 1000 - iat) <= 1:
        return datetime.fromtimestamp(exact / 1000, UTC)
    return datetime.fromtimestamp(iat, UTC)


def _verify(ring: KeyRing, token: str, *, issuer: str, audience: str,
            max_lifetime: timedelta = MAX_LIFETIME) -> TokenClaims:
    """A compact HS256 JWS checked as RFC 7515/7519 say, strictly: the header names HS256 and a known key and no
    extension, the MAC matches (in constant time), the claims are an object with every required claim, the right
    issuer and audience, whole-second ``exp`` and ``iat``, not expired, not before ``nbf``.

    PyJWT issues the tokens and is the test oracle of this check (``tests/unit/test_auth_tokens.py`` compares
    both on generated tokens); its own ``decode`` cost 400,000 instructions a token (a character-by-character
    alphabet check of every segment, key-format regular expressions, option merging), a third of a vote."""
    try:
        if not isinstance(token, str) or token.count(".") != 2:
            raise TokenError("malformed token")
        head, payload, signature = token.split(".")
        header = _header(head)
        kid = header.get("kid")
        if header.get("alg") != ALGORITHM or not isinstance(kid, str) or "crit" in header or "b64" in header:
            raise TokenError("unexpected token algorithm or missing key id")
        key = ring.secrets.get(kid)
        if key is None:
            raise TokenError("token signed by an unknown key")
        if not ring.verifies(kid):
            raise TokenError("token signed by a retired key")
        expected = hmac.new(key, f"{head}.{payload}".encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(signature.encode(), base64.urlsafe_b64encode(expected).rstrip(b"=")):
            raise TokenError("the token's signature does not verify")
        claims = json.loads(_segment(payload), parse_constant=_no_constant)
        if not isinstance(claims, dict) or any(name not in claims for name in REQUIRED_CLAIMS):
            raise TokenError("the token lacks a required claim")
        audiences = claims["aud"]
        if claims["iss"] != issuer or not (audiences == audience or isinstance(audiences, list)
                                           and audience in audiences):
            raise TokenError("the token is for another issuer or audience")
        exp, iat = _integer(claims, "exp"), _integer(claims, "iat")  # whole numbers only ("123", 1e30, True: no)
        now = time.time()
        not_before = claims.get("nbf", 0)
        if exp <= now or type(not_before) not in (int, float) or not_before > now:
            raise TokenError("the token has expired or is not valid yet")
        jti = claims["jti"]
        if not isinstance(jti, str) or not 0 < len(jti) <= 64 or not isinstance(claims["sub"], str):
            raise TokenError("malformed 'jti' or 'sub' claim")
        issued, expires = _issued_at(claims, iat), datetime.fromtimestamp(exp, UTC)
        if issued > datetime.now(UTC) + CLOCK_SKEW:
            raise TokenError("token issued in the future")
        result = TokenClaims(uuid.UUID(claims["sub"]), jti, expires, kid, issued)
        if not expires > issued or not _lifetime_ok(result, max_lifetime):
            raise TokenError("token lifetime exceeds the maximum")
        return result
    except (ValueError, TypeError, OverflowError, OSError, binascii.Error, RecursionError) as error:
        raise TokenError(str(error) or "invalid token") from error
