"""Pure rules of accounts: throttle delays, the client address behind proxies, input checks, mailed tokens."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from auth.clients import client_address_from, parse_trusted_proxies
from auth.ratelimit import LoginLimits, delay_after, login_counters, seconds_until
from auth.rules import (
    AccountError,
    HoodChoice,
    anonymous_email,
    check_birth_date,
    check_display_name,
    drops_verification,
    neighbourhood_for_postcode,
    new_token,
    normalise_email,
    sessions_cutoff,
    token_hash,
)

NOW = datetime(2026, 12, 2, 10, 0, 0, 500_000, tzinfo=UTC)
FIRST, CAP = timedelta(seconds=30), timedelta(minutes=15)


@pytest.mark.parametrize(("failures", "expected"), [
    (0, 0), (4, 0), (5, 30), (6, 60), (7, 120), (9, 480), (10, 900), (50, 900), (10_000, 900)])
def test_delays_grow_after_the_free_attempts_up_to_a_cap(failures, expected):
    assert delay_after(failures, 5, FIRST, CAP) == timedelta(seconds=expected)


def test_counters_are_per_client_and_per_account_from_that_client_never_per_account_alone():
    mine = login_counters("ana@example.org", "198.51.100.1", LoginLimits())
    theirs = login_counters("ana@example.org", "203.0.113.9", LoginLimits())
    assert not {c.key for c in mine} & {c.key for c in theirs}
    assert [c.free for c in mine] == [20, 5]


def test_seconds_until_rounds_up_and_is_zero_once_passed():
    assert seconds_until(NOW - timedelta(seconds=1), NOW) == 0
    assert seconds_until(NOW + timedelta(milliseconds=10), NOW) == 1
    assert seconds_until(NOW + timedelta(seconds=29.2), NOW) == 30


TRUSTED = parse_trusted_proxies("10.0.0.1, 192.168.0.0/16 ,::1")


@pytest.mark.parametrize(("peer", "header", "expected"), [
    ("203.0.113.7", "1.2.3.4", "203.0.113.7"),                  # an untrusted peer cannot choose its address
    ("10.0.0.1", "198.51.100.4", "198.51.100.4"),               # our proxy says who it serves
    ("10.0.0.1", "1.2.3.4, 198.51.100.4", "198.51.100.4"),      # only the hop our proxy added is believed
    ("10.0.0.1", "198.51.100.4, 192.168.3.3", "198.51.100.4"),  # a chain of our proxies is skipped
    ("10.0.0.1", None, "10.0.0.1"),
    ("10.0.0.1", "not-an-ip", "10.0.0.1"),
    ("10.0.0.2", "198.51.100.4", "10.0.0.2"),
    ("::1", "2001:db8::5", "2001:db8::5"),
    (None, "1.2.3.4", "unknown"),
])
def test_client_address(peer, header, expected):
    assert client_address_from(peer, header, TRUSTED) == expected


def test_trusted_proxies_are_addresses_or_networks():
    assert parse_trusted_proxies("") == ()
    assert TRUSTED[1] == ipaddress.ip_network("192.168.0.0/16")
    with pytest.raises(ValueError, match="bogus"):
        parse_trusted_proxies("10.0.0.1, bogus")


def test_load_settings_refuses_a_bad_proxy_list(tmp_path):
    from voting.config import load_settings

    assert load_settings({"GREENBALLOT_DATA_DIR": str(tmp_path)}).trusted_proxies == ""
    assert load_settings({"GREENBALLOT_DATA_DIR": str(tmp_path),
                          "GREENBALLOT_TRUSTED_PROXIES": "10.0.0.0/8"}).trusted_proxies == "10.0.0.0/8"
    with pytest.raises(ValueError, match="GREENBALLOT_TRUSTED_PROXIES"):
        load_settings({"GREENBALLOT_DATA_DIR": str(tmp_path), "GREENBALLOT_TRUSTED_PROXIES": "10.0.0.300"})


def test_tokens_are_random_and_only_their_hash_is_kept():
    token, hashed = new_token()
    other, _ = new_token()
    assert token != other and len(token) >= 43 and hashed == token_hash(token) and token not in hashed
    assert len(hashed) == 64


@pytest.mark.parametrize(("value", "field"), [("", "birth_date"), ("12/04/1990", "birth_date"),
                                              ("2027-01-01", "birth_date"), ("1880-01-01", "birth_date")])
def test_birth_date_refusals_name_the_field(value, field):
    with pytest.raises(AccountError) as refused:
        check_birth_date(value, date(2026, 12, 2))
    assert refused.value.field == field and refused.value.extra == {"field": field}


def test_birth_date_accepted():
    assert check_birth_date(" 1990-04-01 ", date(2026, 12, 2)) == date(1990, 4, 1)
    assert check_birth_date(date(2026, 12, 2), date(2026, 12, 2)) == date(2026, 12, 2)


def test_email_and_name():
    assert normalise_email("  Ana@Example.ORG ") == "ana@example.org"
    with pytest.raises(AccountError):
        normalise_email("ana@example")
    assert check_display_name("  Ana   Lopes ") == "Ana Lopes"
    with pytest.raises(AccountError):
        check_display_name("   ")


HOODS = [HoodChoice(1, "centre", ("63000",)), HoodChoice(2, "nord", ("63100", "63000")),
         HoodChoice(3, "sud", ("63170",))]


def test_postcode_finds_the_one_neighbourhood():
    assert neighbourhood_for_postcode(" 63170 ", HOODS).slug == "sud"
    for code, field in [("63000", "neighbourhood"), ("75001", "postcode"), ("", "neighbourhood")]:
        with pytest.raises(AccountError) as refused:
            neighbourhood_for_postcode(code, HOODS)
        assert refused.value.field == field


def test_only_a_new_residence_or_birth_date_drops_verification():
    born = date(1990, 1, 1)
    assert not drops_verification(1, born, 1, born)
    assert drops_verification(1, born, 2, born)
    assert drops_verification(1, born, 1, date(1990, 1, 2))


def test_deleted_address_is_unique_and_undeliverable():
    account_id = uuid.uuid4()
    assert anonymous_email(account_id).endswith(".invalid") and account_id.hex in anonymous_email(account_id)
    assert sessions_cutoff(NOW.replace(microsecond=123_456)) == NOW.replace(microsecond=123_000)


def test_importing_passwords_hashes_nothing():
    code = ("import time, auth.passwords as p; assert p._dummy_hash.cache_info().currsize == 0; "
            "p.verify_password(None, 'x'); assert p._dummy_hash.cache_info().currsize == 1")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_tokens_say_when_they_were_issued_to_the_millisecond():
    import secrets

    from auth.tokens import KeyRing, _verify, issue_token

    ring = KeyRing("k", {"k": secrets.token_bytes(32)})
    moment = datetime.now(UTC).replace(microsecond=734_912)
    token, claims = issue_token(ring, uuid.uuid4(), issuer="i", audience="a", ttl=timedelta(hours=1), now=moment)
    assert claims.issued_at == moment.replace(microsecond=734_000)
    assert _verify(ring, token, issuer="i", audience="a").issued_at == claims.issued_at
    assert claims.issued_at >= sessions_cutoff(moment)  # a token issued at the cutoff still works
