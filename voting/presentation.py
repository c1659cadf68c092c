"""How the city shows amounts and moments: its name, currency and time zone, for the current request."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from voting.i18n import current_language

__all__ = ["CityStyle", "DEFAULT_STYLE", "current_style", "use_style", "format_money", "format_moment",
           "format_percent", "format_number", "colon", "from_local", "is_time_zone"]


@dataclass(frozen=True, slots=True)
class CityStyle:
    city_name: str = "Clermont-Ferrand"
    currency: str = "EUR"
    time_zone: str = "Europe/Paris"
    map_tiles: str = ""
    """The URL template of the base map tiles (blank: the maps draw the neighbourhood boundaries alone)."""
    map_attribution: str = ""


DEFAULT_STYLE = CityStyle()
_style: ContextVar[CityStyle] = ContextVar("city_style", default=DEFAULT_STYLE)
MONEY_PATTERN = "#,##0.##\u00a0¤"


def current_style() -> CityStyle:
    return _style.get()


def use_style(style: CityStyle) -> None:
    _style.set(style)


@cache
def is_time_zone(name: str) -> bool:
    """True for an IANA time zone name such as Europe/Paris."""
    return name in available_timezones()


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class _Formats:
    """A language's babel locale and the patterns the pages use, parsed once (babel parses them on every call)."""

    locale: Any
    money: Any
    decimal: Any
    percent: Any
    moment: Any


MOMENT_PATTERN = "d MMM y, HH:mm"


@cache
def _formats(language: str) -> _Formats:
    from babel.core import Locale
    from babel.dates import parse_pattern as parse_date_pattern
    from babel.numbers import parse_pattern

    locale = Locale.parse(language)
    return _Formats(locale, parse_pattern(MONEY_PATTERN), locale.decimal_formats[None], locale.percent_formats[None],
                    parse_date_pattern(MOMENT_PATTERN))


@lru_cache(maxsize=8192)
def _money(amount: int | float, currency: str, language: str) -> str:
    formats = _formats(language)
    return str(formats.money.apply(amount, formats.locale, currency=currency, currency_digits=False))


def format_money(amount: int | float | None, currency: str | None = None) -> str:
    """``150 000 €`` in French, ``€150,000`` in English, in the city's currency (or ``currency``, an imported
    election's own)."""
    if amount is None:
        return ""
    return _money(amount, currency or current_style().currency, current_language())


@lru_cache(maxsize=8192)
def _moment(aware: datetime, zone: str, language: str, with_zone: bool) -> str:
    formats = _formats(language)
    text = str(formats.moment.apply(aware.astimezone(_zone(zone)), formats.locale))
    return f"{text} ({zone})" if with_zone else text


def format_moment(moment: datetime | None, with_zone: bool = True) -> str:
    """A moment in the city's time zone, worded for the reader: ``31 déc. 2026, 21:48 (Europe/Paris)``."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return _moment(aware, current_style().time_zone, current_language(), with_zone)


@lru_cache(maxsize=4096)
def _percent(share: float, language: str) -> str:
    formats = _formats(language)
    return str(formats.percent.apply(share, formats.locale, decimal_quantization=False))


def format_percent(share: float) -> str:
    """``12,5 %`` in French, ``12.5%`` in English (one decimal at most)."""
    return _percent(round(share, 3), current_language())


@lru_cache(maxsize=4096)
def _number(value: int | float, language: str) -> str:
    formats = _formats(language)
    return str(formats.decimal.apply(value, formats.locale, decimal_quantization=False))


def format_number(value: int | float | None) -> str:
    """``12 345`` in French, ``12,345`` in English (a count of votes, points, people)."""
    if value is None:
        return ""
    return _number(value, current_language())


def colon() -> str:
    """The colon after a label: French puts a narrow no-break space before it."""
    return "\u202f:" if current_language() == "fr" else ":"


def from_local(moment: datetime) -> datetime:
    """A moment typed without a zone is the city's local time; one with a zone is kept (both returned aware)."""
    if moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=_zone(current_style().time_zone))
