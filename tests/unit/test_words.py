"""Codes in words and numbers formatted for the reader (voting.words, voting.presentation.format_number)."""

from __future__ import annotations

import pytest

from voting.i18n import use_language
from voting.presentation import format_number
from voting.words import key_purpose_words, role_words, rule_words


@pytest.mark.parametrize(("language", "role", "words"), [
    ("fr", "poll_officer", "assesseur"), ("en", "poll_officer", "poll officer"), ("fr", "citizen", "habitant"),
    ("en", "admin", "administrator"), ("fr", "someday_role", "someday_role")])
def test_roles_in_words(language, role, words):
    use_language(language)
    assert role_words(role) == words


def test_rules_and_key_purposes_in_words():
    use_language("fr")
    assert rule_words("equalshares") == "Méthode des parts égales"
    assert rule_words("a-rule-added-later") == "a-rule-added-later"
    assert key_purpose_words("signing") == "signature des exports et des points de contrôle"


def test_numbers_are_grouped_in_the_readers_language():
    use_language("fr")
    assert format_number(265_500) == "265\u202f500"
    use_language("en")
    assert format_number(265_500) == "265,500" and format_number(None) == ""


def test_moments_kept_as_text_are_read_back():
    from datetime import UTC, datetime

    from voting.words import as_moment

    assert as_moment("2026-12-02T07:00:00+00:00") == datetime(2026, 12, 2, 7, tzinfo=UTC)
    assert as_moment(None) is None and as_moment("not a time") is None
