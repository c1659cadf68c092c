"""Days and states of funded projects in the reader's words (French or English)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from voting.i18n import current_language

__all__ = ["day_words", "LocalDay", "LocalStatus", "status_words"]


@lru_cache(maxsize=4096)
def _day(day: date, language: str) -> str:
    from babel.dates import format_date

    return str(format_date(day, "EEEE d MMMM y", locale=language))


def day_words(day: date | None) -> str:
    """``samedi 6 mars 2027`` / ``Saturday 6 March 2027`` (the templates' ``day`` filter)."""
    return _day(day, current_language()) if day is not None else ""


@dataclass(frozen=True)
class LocalDay:
    """A day written when it is rendered, so a mail rendered per language says it in each."""

    day: date

    def __str__(self) -> str:
        return day_words(self.day)


@dataclass(frozen=True)
class LocalStatus:
    """A project's state written when it is rendered (each mail in its reader's language)."""

    status: str

    def __str__(self) -> str:
        return status_words(self.status)


def status_words(status: str) -> str:
    from voting.i18n import gettext as _

    return {"planned": _("Planned"), "in_progress": _("In progress"), "done": _("Done"),
            "abandoned": _("Abandoned")}.get(status, status)
