"""JWT access tokens: EdDSA (Ed25519) pinned, required claims, a ``kid`` header for key rotation."""

from __future__ import annotations

import secrets
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["ALGORITHM", "REQUIRED_CLAIMS", "TokenClaims", "TokenError", "KeyRing", "issue_token", "decode_token"]

ALGORITHM = "EdDSA"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud", "jti"]


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
    """Public keys by key id, and the one current private key that signs new tokens."""

    current_kid: str
    current_private: Ed25519PrivateKey
    public: dict[str, Ed25519PublicKey]


def issue_token(ring: KeyRing, subject: uuid.UUID, *, issuer: str, audience: str, ttl: timedelta,
                now: datetime | None = None) -> tuple[str, TokenClaims]:
    now = now or datetime.now(UTC)
    jti = secrets.token_urlsafe(24)
    expires = now + ttl
    issued_ms = int(now.timestamp() * 1000)  # "iat" has whole seconds; ending older sessions needs finer
    claims = {"sub": str(subject), "iss": issuer, "aud": audience, "iat": int(now.timestamp()), "iat_ms": issued_ms,
              "exp": int(expires.timestamp()), "jti": jti}
    token = jwt.encode(claims, ring.current_private, algorithm=ALGORITHM, headers={"kid": ring.current_kid})
    return token, TokenClaims(subject, jti, datetime.fromtimestamp(int(expires.timestamp()), UTC), ring.current_kid,
                              datetime.fromtimestamp(issued_ms / 1000, UTC))


_VERIFIED: OrderedDict[tuple[str, str, str], tuple[Ed25519PublicKey, TokenClaims]] = OrderedDict()
VERIFIED_CACHE_SIZE = 20_000
"""Tokens whose signature this process has checked, most recent last: a voter's next request skips the Ed25519
verification (about a tenth of a vote's CPU). Expiry is still checked on every use, the key must still be in
the ring, and revocation and disabled accounts are read from the database on every request as before."""


def decode_token(ring: KeyRing, token: str, *, issuer: str, audience: str) -> TokenClaims:
    """Verify signature, algorithm, issuer, audience and expiry; raise ``TokenError`` otherwise."""
    cached = _VERIFIED.get((token, issuer, audience))
    if cached is not None:
        key, claims = cached
        if ring.public.get(claims.kid) is key and datetime.now(UTC) < claims.expires_at:
            _VERIFIED.move_to_end((token, issuer, audience))
            return claims
        del _VERIFIED[(token, issuer, audience)]
    claims = _verify(ring, token, issuer=issuer, audience=audience)
    _VERIFIED[(token, issuer, audience)] = (ring.public[claims.kid], claims)
    if len(_VERIFIED) > VERIFIED_CACHE_SIZE:
        _VERIFIED.popitem(last=False)
    return claims


def _issued_at(claims: dict[str, object]) -> datetime:
    """When the token was issued, to the millisecond when it says so (tokens before ``iat_ms``: the second)."""
    exact = claims.get("iat_ms")
    if isinstance(exact, int) and abs(exact // 1000 - int(claims["iat"])) <= 1:  # type: ignore[call-overload]
        return datetime.fromtimestamp(exact / 1000, UTC)
    return datetime.fromtimestamp(int(claims["iat"]), UTC)  # type: ignore[call-overload]


def _verify(ring: KeyRing, token: str, *, issuer: str, audience: str) -> TokenClaims:
    try:
        header = jwt.get_unverified_header(token)
        kid = header.get("kid")
        if header.get("alg") != ALGORITHM or not isinstance(kid, str):
            raise TokenError("unexpected token algorithm or missing key id")
        key = ring.public.get(kid)
        if key is None:
            raise TokenError("token signed by an unknown key")
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=issuer, audience=audience,
                            options={"require": REQUIRED_CLAIMS})
        return TokenClaims(uuid.UUID(claims["sub"]), str(claims["jti"]),
                           datetime.fromtimestamp(int(claims["exp"]), UTC), kid,
                           _issued_at(claims))
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise TokenError(str(error) or "invalid token") from error
