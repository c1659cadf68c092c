"""Mail rules: the back-off between tries, when to give up, SMTP URLs, addresses and one-line subjects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from voting.mail.rules import (
    MAX_ATTEMPTS,
    SMTPTarget,
    check_address,
    is_permanent,
    next_attempt,
    one_line,
    parse_smtp_url,
    retry_delay,
)

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_the_delay_doubles_from_one_minute_up_to_six_hours():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(9) == timedelta(minutes=256)
    assert retry_delay(10) == retry_delay(11) == retry_delay(500) == timedelta(hours=6)
    assert retry_delay(0) == timedelta(0)


def test_a_temporary_refusal_is_tried_again_later_until_the_last_attempt():
    assert next_attempt(1, NOW) == ("pending", NOW + timedelta(minutes=1))
    assert next_attempt(MAX_ATTEMPTS - 1, NOW) == ("pending", NOW + timedelta(hours=6))
    assert next_attempt(MAX_ATTEMPTS, NOW) == ("failed", None)


def test_the_tries_span_most_of_a_day_before_giving_up():
    span = sum((retry_delay(n) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert timedelta(hours=12) < span < timedelta(hours=36)


def test_a_permanent_refusal_fails_at_once():
    assert next_attempt(1, NOW, permanent=True) == ("failed", None)
    assert is_permanent(550) and is_permanent(554)
    assert not is_permanent(451) and not is_permanent(421) and not is_permanent(None)


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example.org", SMTPTarget("mail.example.org", 587, False)),
    ("smtp://127.0.0.1:2525", SMTPTarget("127.0.0.1", 2525, False)),
    ("smtps://mail.example.org", SMTPTarget("mail.example.org", 465, True)),
    ("smtp://user%40city.fr:p%3Ass@mail.example.org:587",
     SMTPTarget("mail.example.org", 587, False, "user@city.fr", "p:ss")),
    ("smtps://apikey:@smtp.example.org:2465", SMTPTarget("smtp.example.org", 2465, True, "apikey", "")),
])
def test_smtp_urls(url, expected):
    assert parse_smtp_url(url) == expected


def test_the_password_is_not_shown_when_a_target_is_printed():
    assert "secret" not in repr(parse_smtp_url("smtp://user:secret@host:587"))


@pytest.mark.parametrize(("url", "words"), [
    ("http://mail.example.org", "smtp:// or smtps://"),
    ("mail.example.org:587", "smtp:// or smtps://"),
    ("smtp://", "no host"),
    ("smtp://host:99999", "invalid port"),
    ("smtp://host:port", "invalid port"),
])
def test_bad_smtp_urls_say_what_is_wrong(url, words):
    with pytest.raises(ValueError, match=words):
        parse_smtp_url(url)


@pytest.mark.parametrize("address", ["camille@example.org", " camille.dupont+pb@mairie.clermont.fr ",
                                     "admin@localhost"])
def test_addresses(address):
    assert check_address(address) == address.strip()


@pytest.mark.parametrize("address", ["", "camille", "camille@", "@example.org", "a@b.c\nBcc: x@y.z", "a b@c.d",
                                     "x@y.z, victim@example.org", "<a@b.c>", "a" * 250 + "@b.cd"])
def test_unusable_addresses_are_refused(address):
    with pytest.raises(ValueError):
        check_address(address)


def test_subjects_are_one_line_and_bounded():
    assert one_line("Pommiers\r\nBcc: x@y.z  place   de Jaude") == "Pommiers Bcc: x@y.z place de Jaude"
    assert one_line("x" * 400) == "x" * 299 + "…"
    french = "Le vote est ouvert\u202f: «\u202fBudget\u202f»"
    assert one_line(french + "\u2028") == french


def test_mail_settings_from_the_environment(tmp_path):
    from voting.config import load_settings

    settings = load_settings({"GREENBALLOT_DATA_DIR": str(tmp_path), "GREENBALLOT_PUBLIC_URL": "https://v.example/",
                              "GREENBALLOT_SMTP_URL": " smtps://u:p@mail.v.example ",
                              "GREENBALLOT_MAIL_FROM": "Ville <budget@v.example>"})
    assert settings.public_url == "https://v.example"
    assert settings.smtp_url == "smtps://u:p@mail.v.example" and "u:p" not in repr(settings)
    assert settings.mail_from == "Ville <budget@v.example>" and not settings.demo
    defaults = load_settings({"GREENBALLOT_DATA_DIR": str(tmp_path)})
    assert (defaults.public_url, defaults.smtp_url) == ("http://127.0.0.1:8000", None)


@pytest.mark.parametrize(("name", "value"), [("GREENBALLOT_PUBLIC_URL", "budget.v.example"),
                                             ("GREENBALLOT_PUBLIC_URL", "ftp://v.example"),
                                             ("GREENBALLOT_SMTP_URL", "mail.v.example:587"),
                                             ("GREENBALLOT_SMTP_URL", "smtp://")])
def test_malformed_mail_settings_are_refused_at_start(tmp_path, name, value):
    from voting.config import load_settings

    with pytest.raises(ValueError, match=name):
        load_settings({"GREENBALLOT_DATA_DIR": str(tmp_path), name: value})
