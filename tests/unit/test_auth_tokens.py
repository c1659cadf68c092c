"""Access tokens: a verified token is remembered, but expiry and the key ring are checked on every use."""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from auth import tokens
from auth.tokens import KeyRing, TokenError, decode_token, issue_token


def ring(kid: str = "k1") -> KeyRing:
    return KeyRing(kid, {kid: secrets.token_bytes(32)})


def test_a_remembered_token_still_expires():
    keys = ring()
    now = datetime.now(UTC)
    token, claims = issue_token(keys, uuid.uuid4(), issuer="gb", audience="gb",
                                ttl=timedelta(seconds=1, microseconds=1_000_000 - now.microsecond), now=now)
    assert decode_token(keys, token, issuer="gb", audience="gb") == claims
    assert (token, "gb", "gb") in tokens._VERIFIED
    time.sleep(max(0.0, (claims.expires_at - datetime.now(UTC)).total_seconds()) + 0.05)
    with pytest.raises(TokenError):
        decode_token(keys, token, issuer="gb", audience="gb")


def test_a_remembered_token_needs_its_key_in_the_ring():
    keys = ring()
    token, _ = issue_token(keys, uuid.uuid4(), issuer="gb", audience="gb", ttl=timedelta(hours=1))
    decode_token(keys, token, issuer="gb", audience="gb")
    other = ring("k1")  # same key id, another secret: the MAC no longer matches
    with pytest.raises(TokenError):
        decode_token(other, token, issuer="gb", audience="gb")
    with pytest.raises(TokenError):
        decode_token(keys, token, issuer="gb", audience="someone-else")


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(tokens, "VERIFIED_CACHE_SIZE", 3)
    tokens._VERIFIED.clear()
    keys = ring()
    for _ in range(5):
        token, _ = issue_token(keys, uuid.uuid4(), issuer="gb", audience="gb", ttl=timedelta(hours=1))
        decode_token(keys, token, issuer="gb", audience="gb")
    assert len(tokens._VERIFIED) == 3


def test_a_retired_key_verifies_until_its_grace_period_ends():
    keys = ring()
    token, _ = issue_token(keys, uuid.uuid4(), issuer="gb", audience="gb", ttl=timedelta(hours=1))
    keys.verify_until["k1"] = datetime.now(UTC) + timedelta(minutes=5)
    assert decode_token(keys, token, issuer="gb", audience="gb")
    keys.verify_until["k1"] = datetime.now(UTC) - timedelta(seconds=1)
    with pytest.raises(TokenError):  # remembered or not, a key past its grace no longer verifies
        decode_token(keys, token, issuer="gb", audience="gb")


def test_a_token_may_not_outlive_the_maximum_lifetime():
    keys = ring()
    token, _ = issue_token(keys, uuid.uuid4(), issuer="gb", audience="gb", ttl=timedelta(hours=2))
    assert decode_token(keys, token, issuer="gb", audience="gb", max_lifetime=timedelta(hours=2))
    with pytest.raises(TokenError):
        decode_token(keys, token, issuer="gb", audience="gb", max_lifetime=timedelta(hours=1))


@pytest.mark.parametrize("exp", ["2000000000", 1e30, 2000000000.5, True, None, -5])
def test_exp_must_be_a_whole_number_of_seconds(exp):
    import jwt

    keys = ring()
    now = int(time.time())
    claims = {"sub": str(uuid.uuid4()), "iss": "gb", "aud": "gb", "iat": now, "exp": exp, "jti": "j"}
    token = jwt.encode(claims, keys.current_secret, algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(TokenError):
        decode_token(keys, token, issuer="gb", audience="gb")


def test_only_hs256_with_the_key_secret_is_accepted():
    """EdDSA (the former algorithm), none, and HS256 under another secret are refused; the derived secrets differ
    by key id and by key-encryption secret."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from auth.keys import token_secret

    keys = KeyRing("k1", {"k1": token_secret("kek", "k1")})
    token, claims = issue_token(keys, uuid.uuid4(), issuer="gb", audience="gb", ttl=timedelta(hours=1))
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    assert decode_token(keys, token, issuer="gb", audience="gb") == claims
    payload = {"sub": str(uuid.uuid4()), "iss": "gb", "aud": "gb", "iat": int(time.time()),
               "exp": int(time.time()) + 60, "jti": "j"}
    for forged in (jwt.encode(payload, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "k1"}),
                   jwt.encode(payload, None, algorithm="none", headers={"kid": "k1"}),
                   jwt.encode(payload, token_secret("another kek", "k1"), algorithm="HS256", headers={"kid": "k1"}),
                   jwt.encode(payload, token_secret("kek", "k2"), algorithm="HS256", headers={"kid": "k1"})):
        with pytest.raises(TokenError):
            decode_token(keys, forged, issuer="gb", audience="gb")
    assert len({token_secret("kek", "k1"), token_secret("kek", "k2"), token_secret("other", "k1")}) == 3
