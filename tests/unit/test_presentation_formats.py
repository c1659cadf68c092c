"""The formatters built once per language say exactly what babel's own functions say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from voting import presentation
from voting.i18n import use_language
from voting.presentation import DEFAULT_STYLE, CityStyle, use_style


@pytest.fixture(autouse=True)
def _defaults():
    yield
    use_style(DEFAULT_STYLE)
    use_language("fr")


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Asia/Kolkata"])
def test_prebuilt_patterns_match_babel(language, zone):
    use_language(language)
    use_style(CityStyle(time_zone=zone, currency="CHF"))
    for step in range(0, 600_000, 7_919):  # minutes over a year: both sides of the clock changes
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=step)
        expected = format_datetime(moment, "d MMM y, HH:mm", tzinfo=ZoneInfo(zone), locale=language)
        assert presentation.format_moment(moment) == f"{expected} ({zone})"
        assert presentation.format_moment(moment, with_zone=False) == expected
    for value in (0, 7, 12_345, 1_234_567, 0.5, 99_999.75, -12):
        assert presentation.format_number(value) == format_decimal(value, locale=language, decimal_quantization=False)
    for share in (0, 0.125, 0.5, 0.3333, 1):
        assert presentation.format_percent(share) == format_percent(round(share, 3), locale=language,
                                                                     decimal_quantization=False)
    assert presentation.format_money(150_000) == format_currency(
        150_000, "CHF", format=presentation.MONEY_PATTERN, locale=language, currency_digits=False)
