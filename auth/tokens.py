"""JWT access tokens: EdDSA (Ed25519) pinned, required claims, a ``kid`` header for key rotation."""

from __future__ import annotations

import secrets
import uuid
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
    claims = {"sub": str(subject), "iss": issuer, "aud": audience, "iat": int(now.timestamp()),
              "exp": int(expires.timestamp()), "jti": jti}
    token = jwt.encode(claims, ring.current_private, algorithm=ALGORITHM, headers={"kid": ring.current_kid})
    return token, TokenClaims(subject, jti, datetime.fromtimestamp(int(expires.timestamp()), UTC), ring.current_kid)


def decode_token(ring: KeyRing, token: str, *, issuer: str, audience: str) -> TokenClaims:
    """Verify signature, algorithm, issuer, audience and expiry; raise ``TokenError`` otherwise."""
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
                           datetime.fromtimestamp(int(claims["exp"]), UTC), kid)
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise TokenError(str(error) or "invalid token") from error
