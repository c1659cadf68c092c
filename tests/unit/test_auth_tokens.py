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
    """EdDSA (the former algorithm), none, and HS256 under another secret (or another key's) are refused."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    keys = KeyRing("k1", {"k1": secrets.token_bytes(32), "k2": secrets.token_bytes(32)})
    token, claims = issue_token(keys, uuid.uuid4(), issuer="gb", audience="gb", ttl=timedelta(hours=1))
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    assert decode_token(keys, token, issuer="gb", audience="gb") == claims
    payload = {"sub": str(uuid.uuid4()), "iss": "gb", "aud": "gb", "iat": int(time.time()),
               "exp": int(time.time()) + 60, "jti": "j"}
    for forged in (jwt.encode(payload, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "k1"}),
                   jwt.encode(payload, None, algorithm="none", headers={"kid": "k1"}),
                   jwt.encode(payload, secrets.token_bytes(32), algorithm="HS256", headers={"kid": "k1"}),
                   jwt.encode(payload, keys.secrets["k2"], algorithm="HS256", headers={"kid": "k1"})):
        with pytest.raises(TokenError):
            decode_token(keys, forged, issuer="gb", audience="gb")


def pyjwt_verify(keys: KeyRing, token: str, issuer: str, audience: str) -> tokens.TokenClaims | None:
    """The check as it was made with PyJWT's ``decode`` (the oracle of ``tokens._verify``): None when refused."""
    import jwt

    try:
        header = jwt.get_unverified_header(token)
        kid = header.get("kid")
        if header.get("alg") != "HS256" or not isinstance(kid, str) or kid not in keys.secrets:
            return None
        claims = jwt.decode(token, keys.secrets[kid], algorithms=["HS256"], issuer=issuer, audience=audience,
                            options={"require": tokens.REQUIRED_CLAIMS})
        exp, iat = tokens._integer(claims, "exp"), tokens._integer(claims, "iat")
        jti = claims["jti"]
        if not isinstance(jti, str) or not 0 < len(jti) <= 64 or not isinstance(claims["sub"], str):
            return None
        issued, expires = tokens._issued_at(claims, iat), datetime.fromtimestamp(exp, UTC)
        if issued > datetime.now(UTC) + tokens.CLOCK_SKEW:
            return None
        result = tokens.TokenClaims(uuid.UUID(claims["sub"]), jti, expires, kid, issued)
        if not expires > issued or not tokens._lifetime_ok(result, tokens.MAX_LIFETIME):
            return None
        return result
    except (jwt.PyJWTError, ValueError, TypeError, OverflowError, OSError, tokens.TokenError):
        return None


MISSING = object()


def claim_values(NOW: int) -> dict[str, list[object]]:
    """Values of each claim, the valid one first, around ``NOW`` (taken when a test starts: tests run minutes
    after collection when a run is long, and a token valid for 10 minutes would have expired)."""
    return {
        "sub": [str(uuid.UUID(int=7)), "admin", 12, MISSING],
        "iss": ["gb", "other", ["gb"], MISSING],
        "aud": ["gb", ["gb", "x"], ["x"], "other", 5, MISSING],
        "exp": [NOW + 600, NOW - 10, str(NOW + 600), NOW + 600.5, 1e30, True, -5, NOW + 10 * 365 * 86400, MISSING],
        "iat": [NOW - 5, NOW - 7200, NOW + 3600, str(NOW), NOW - 5.5, MISSING],  # none just ahead (see CLOCK_SKEW)
        "nbf": [MISSING, NOW - 5, NOW + 3600, "x", NOW - 0.5],
        "jti": ["j", "", 12, "j" * 65, MISSING],
        "iat_ms": [MISSING, (NOW - 5) * 1000 + 123],
    }
HEADERS: list[dict[str, object]] = [{"alg": "HS256", "typ": "JWT", "kid": "k1"}, {"alg": "HS256", "kid": "k1"},
                                    {"alg": "none", "kid": "k1"}, {"alg": "HS512", "kid": "k1"},
                                    {"alg": "HS256"}, {"alg": "HS256", "kid": 5}, {"alg": "HS256", "kid": "k2"}]


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_the_check_accepts_what_pyjwt_accepts_and_nothing_else():
    """Every generated token (claims of odd types, headers, keys and signatures) is accepted by ``_verify`` exactly
    when PyJWT's ``decode`` with the same checks accepts it, with the same claims."""
    NOW = int(time.time())
    CLAIM_VALUES = claim_values(NOW)
    import hashlib
    import hmac
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    keys = KeyRing("k1", {"k1": b"k" * 32, "k2": b"2" * 32})
    # each part is the valid one (listed first) three times in four, so that accepted tokens are common too
    claim = st.fixed_dictionaries({name: st.sampled_from([values[0]] * 3 * len(values) + values)
                                   for name, values in CLAIM_VALUES.items()})
    signings = ["right"] * 15 + ["other key", "altered", "truncated", "padded", "empty"]
    seen: list[bool] = []

    @settings(max_examples=800, deadline=None)
    @given(claim, st.sampled_from([HEADERS[0]] * 3 * len(HEADERS) + HEADERS), st.sampled_from(signings))
    def check(values: dict[str, object], header: dict[str, object], signing: str) -> None:
        claims = {name: value for name, value in values.items() if value is not MISSING}
        head, body = _b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode())
        kid = header.get("kid")
        key = keys.secrets.get(kid, b"x" * 32) if isinstance(kid, str) else b"x" * 32
        mac = hmac.new(b"o" * 32 if signing == "other key" else key, f"{head}.{body}".encode(), hashlib.sha256)
        signature = _b64(mac.digest())
        if signing == "altered":
            signature = ("A" if signature[0] != "A" else "B") + signature[1:]
        signature = {"truncated": signature[:-4], "padded": signature + "=", "empty": ""}.get(signing, signature)
        token = f"{head}.{body}.{signature}"
        try:
            ours: tokens.TokenClaims | None = tokens._verify(keys, token, issuer="gb", audience="gb")
        except TokenError:
            ours = None
        if signing == "padded":  # RFC 7515 segments carry no '=' padding: refused here, tolerated by PyJWT
            assert ours is None
            return
        assert ours == pyjwt_verify(keys, token, "gb", "gb")
        seen.append(ours is not None)

    check()
    assert sum(seen) > 50 and len(seen) - sum(seen) > 50  # both answers were compared, many times


def forged(keys: KeyRing, values: dict[str, object], header: dict[str, object], signing: str = "right") -> str:
    """A token of these claims and header, its MAC made with the key its header names (or as ``signing`` says)."""
    import hashlib
    import hmac
    import json

    claims = {name: value for name, value in values.items() if value is not MISSING}
    head, body = _b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode())
    kid = header.get("kid")
    key = keys.secrets.get(kid, b"x" * 32) if isinstance(kid, str) else b"x" * 32
    signature = _b64(hmac.new(b"o" * 32 if signing == "other key" else key, f"{head}.{body}".encode(),
                              hashlib.sha256).digest())
    return f"{head}.{body}.{signature}"


def test_each_claim_and_header_alone_is_judged_as_pyjwt_judges_it():
    """From a valid token, every single change of one claim (and of the header, and of the key): the check and
    PyJWT agree on each, and each change but the harmless ones is refused."""
    NOW = int(time.time())
    CLAIM_VALUES = claim_values(NOW)
    keys = KeyRing("k1", {"k1": b"k" * 32, "k2": b"2" * 32})
    valid = {name: values[0] for name, values in CLAIM_VALUES.items()} | {"iat": NOW - 7200, "exp": NOW + 600}
    cases = [({**valid, name: value}, HEADERS[0], "right") for name, values in CLAIM_VALUES.items()
             for value in values]
    cases += [(valid, header, "right") for header in HEADERS] + [(valid, HEADERS[0], "other key")]
    cases += [({**valid, "exp": NOW - 10}, HEADERS[0], "right")]  # expired, after a sane lifetime
    answers = []
    for values, header, signing in cases:
        token = forged(keys, values, header, signing)
        try:
            ours: tokens.TokenClaims | None = tokens._verify(keys, token, issuer="gb", audience="gb")
        except TokenError:
            ours = None
        assert ours == pyjwt_verify(keys, token, "gb", "gb"), (values, header, signing)
        answers.append(ours is not None)
    assert answers[0] and answers[-1] is False and 8 < sum(answers) < len(answers) - 20


@pytest.mark.parametrize("header", [{"alg": "HS256", "kid": "k1", "crit": ["exp"]},
                                    {"alg": "HS256", "kid": "k1", "b64": False}])
def test_headers_with_extensions_are_refused(header):
    """A critical extension, or an unencoded payload (RFC 7797), is not something this check understands."""
    NOW = int(time.time())
    import hashlib
    import hmac
    import json

    keys = KeyRing("k1", {"k1": b"k" * 32})
    claims = {"sub": str(uuid.uuid4()), "iss": "gb", "aud": "gb", "iat": NOW, "exp": NOW + 600, "jti": "j"}
    head, body = _b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode())
    token = f"{head}.{body}.{_b64(hmac.new(b'k' * 32, f'{head}.{body}'.encode(), hashlib.sha256).digest())}"
    with pytest.raises(TokenError):
        tokens._verify(keys, token, issuer="gb", audience="gb")



BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def respelled(segment: str) -> str:
    """The same bytes with the last character's unused low bits set (RFC 4648 3.5: a non-canonical spelling)."""
    unused = {2: 4, 3: 2}[len(segment) % 4]
    return segment[:-1] + BASE64URL[BASE64URL.index(segment[-1]) | (1 << unused) - 1]


@pytest.mark.parametrize("part", [0, 1, 2])
def test_each_segment_has_one_spelling(part):
    """A segment whose last character's unused bits are set decodes to the same bytes; PyJWT refuses it (it
    re-encodes every segment), and so does the check: no one holding a token makes other strings of it."""
    NOW = int(time.time())
    CLAIM_VALUES = claim_values(NOW)
    import base64
    import hashlib
    import hmac

    keys = KeyRing("k1", {"k1": b"k" * 32})
    valid = {name: values[0] for name, values in CLAIM_VALUES.items()} | {"iat": NOW - 5, "exp": NOW + 600}
    token = next(t for t in (forged(keys, valid | {"jti": "j" * n}, {"alg": "HS256", "kid": "k1"})
                             for n in range(1, 4)) if len(t.split(".")[1]) % 4)
    accepted = tokens._verify(keys, token, issuer="gb", audience="gb")
    assert accepted == pyjwt_verify(keys, token, "gb", "gb") and accepted is not None
    segments = token.split(".")
    segments[part] = respelled(segments[part])
    if part < 2:  # the MAC made anew over the respelled input: only the spelling is wrong
        signing_input = f"{segments[0]}.{segments[1]}".encode()
        segments[2] = _b64(hmac.new(b"k" * 32, signing_input, hashlib.sha256).digest())
    other = ".".join(segments)
    assert other != token and base64.urlsafe_b64decode(segments[part] + "==") == base64.urlsafe_b64decode(
        token.split(".")[part] + "==")
    assert pyjwt_verify(keys, other, "gb", "gb") is None
    with pytest.raises(TokenError):
        tokens._verify(keys, other, issuer="gb", audience="gb")


@pytest.mark.parametrize("value", ["NaN", "-Infinity", "Infinity"])
def test_nan_and_infinities_are_not_json(value):
    """Python's JSON reader takes them; RFC 8259 does not: an nbf of NaN, under a valid MAC, is refused."""
    NOW = int(time.time())
    import hashlib
    import hmac

    keys = KeyRing("k1", {"k1": b"k" * 32})
    body = (f'{{"sub": "{uuid.uuid4()}", "iss": "gb", "aud": "gb", "iat": {NOW}, "exp": {NOW + 600}, "jti": "j", '
            f'"nbf": {value}}}')
    head, payload = _b64(b'{"alg": "HS256", "kid": "k1"}'), _b64(body.encode())
    token = f"{head}.{payload}.{_b64(hmac.new(b'k' * 32, f'{head}.{payload}'.encode(), hashlib.sha256).digest())}"
    with pytest.raises(TokenError):
        tokens._verify(keys, token, issuer="gb", audience="gb")
