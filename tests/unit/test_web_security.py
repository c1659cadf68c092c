"""Pure parts of the web guards: the JSON depth gauge, https detection, the policies, cookie flags."""

from __future__ import annotations

import json

import pytest

from auth.clients import parse_trusted_proxies
from voting.web.json_depth import JsonDepthGauge, JsonTooDeep
from voting.web.security import CONTENT_SECURITY_POLICY, MAIL_PREVIEW_POLICY, is_https, policy_for


def feed(text: str, size: int, limit: int = 32) -> JsonDepthGauge:
    gauge = JsonDepthGauge(limit)
    data = text.encode()
    for start in range(0, len(data), size):
        gauge.feed(data[start:start + size])
    return gauge


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_depth_limit_in_any_chunking(size: int) -> None:
    assert feed("[" * 32 + "]" * 32, size).depth == 0
    with pytest.raises(JsonTooDeep):
        feed("[" * 33 + "]" * 33, size)
    with pytest.raises(JsonTooDeep):
        feed('{"a":' * 40 + "1" + "}" * 40, size)


@pytest.mark.parametrize("size", [1, 2, 5, 1000])
def test_brackets_in_strings_and_escapes_do_not_count(size: int) -> None:
    text = json.dumps({"title": "[" * 100 + "{" * 100, "quote": 'a \\" [[[ \\\\', "more": ["\\[" * 50]})
    assert feed(text, size).depth == 0
    text = json.dumps([{"t": '\\"' + "[" * 60}] * 40)  # many openers in all, shallow structure
    assert feed(text, size).depth == 0


def test_policies() -> None:
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self';", "img-src 'self' data:",
                      "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'", "object-src 'none'"):
        assert directive in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert policy_for("/dev/mail/3") == MAIL_PREVIEW_POLICY and "script-src 'self';" in MAIL_PREVIEW_POLICY
    assert policy_for("/proposals") == policy_for("/dev/mail") == CONTENT_SECURITY_POLICY


def test_https_from_a_trusted_proxy_only() -> None:
    trusted = parse_trusted_proxies("10.0.0.0/8, ::1")
    forwarded = [(b"x-forwarded-proto", b"https")]
    assert is_https({"scheme": "https", "client": ("203.0.113.1", 1)}, ())  # type: ignore[typeddict-item]
    assert is_https({"scheme": "http", "client": ("10.2.3.4", 1), "headers": forwarded}, trusted)  # type: ignore
    assert is_https({"scheme": "http", "client": ("::1", 1), "headers": forwarded}, trusted)  # type: ignore
    assert not is_https({"scheme": "http", "client": ("203.0.113.1", 1), "headers": forwarded}, trusted)  # type: ignore
    assert not is_https({"scheme": "http", "client": ("10.2.3.4", 1), "headers": forwarded}, ())  # type: ignore
    assert not is_https({"scheme": "http", "client": ("10.2.3.4", 1),  # type: ignore
                         "headers": [(b"x-forwarded-proto", b"https, http")]}, trusted)
