"""Gettext for pages and messages: English and French catalogues, the request's language in a context var."""

from __future__ import annotations

import gettext as _gettext
from contextvars import ContextVar
from functools import cache
from pathlib import Path

__all__ = ["LANGUAGES", "DEFAULT_LANGUAGE", "current_language", "use_language", "gettext", "ngettext",
           "choose_language", "translations"]

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """Merge every ``locale/<language>/LC_MESSAGES/*.po`` (one per area), compiled in memory: no .mo to ship."""
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    merged: Translations | None = None
    for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        loaded = Translations(buffer)
        if merged is None:
            merged = loaded
        else:
            merged.merge(loaded)
    return merged or _gettext.NullTranslations()


def current_language() -> str:
    return _language.get()


def use_language(language: str) -> None:
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)


def choose_language(cookie: str | None, accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The ``lang`` cookie wins; else the best of Accept-Language by quality; else the city's default."""
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    best, best_q = default, -1.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if primary in LANGUAGES and quality > 0 and (quality > best_q):
            best, best_q = primary, quality - position * 1e-6
    return best
