"""Amounts, shares and moments worded for the reader's language and the city's currency and time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from voting.i18n import use_language
from voting.presentation import (
    DEFAULT_STYLE,
    CityStyle,
    colon,
    format_moment,
    format_money,
    format_percent,
    from_local,
    is_time_zone,
    use_style,
)


@pytest.fixture(autouse=True)
def _reset():
    yield
    use_style(DEFAULT_STYLE)
    use_language("fr")


def test_money_follows_language_and_currency():
    use_language("fr")
    assert format_money(150000) == "150\u202f000\u00a0€"
    use_style(CityStyle(currency="CHF"))
    use_language("en")
    assert format_money(1234.5) == "1,234.5\u00a0CHF"
    assert format_money(None) == ""


def test_percent_has_one_decimal_at_most_and_french_spacing():
    use_language("fr")
    assert format_percent(0.12345) == "12,3\u00a0%"
    assert format_percent(1.0) == "100\u00a0%"
    use_language("en")
    assert format_percent(0.5) == "50%"


def test_moments_are_shown_in_the_city_time_zone():
    winter = datetime(2026, 12, 31, 20, 48, tzinfo=UTC)
    use_language("fr")
    assert format_moment(winter) == "31 déc. 2026, 21:48 (Europe/Paris)"
    use_language("en")
    use_style(CityStyle(time_zone="Europe/London"))
    assert format_moment(winter, with_zone=False) == "31 Dec 2026, 20:48"
    assert format_moment(None) == ""


def test_typed_local_times_are_the_city_time():
    summer = from_local(datetime(2027, 6, 1, 9, 0))
    assert summer.astimezone(UTC) == datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
    already = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    assert from_local(already) is already


def test_time_zone_names_and_colons():
    assert is_time_zone("Europe/Paris") and not is_time_zone("Mars/Olympus") and not is_time_zone("")
    use_language("fr")
    assert colon() == "\u202f:"
    use_language("en")
    assert colon() == ":"
