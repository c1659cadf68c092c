"""Codes shown to people as words in their language: roles, counting rules, key purposes, how a residence was
verified (pure: gettext only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from voting.i18n import gettext as _

__all__ = ["role_words", "rule_words", "key_purpose_words", "as_moment"]

_ROLES: dict[str, Callable[[], str]] = {
    "citizen": lambda: _("resident"),
    "moderator": lambda: _("moderator"),
    "poll_officer": lambda: _("poll officer"),
    "auditor": lambda: _("auditor"),
    "admin": lambda: _("administrator"),
}
_RULES: dict[str, Callable[[], str]] = {
    "greedy": lambda: _("Most votes first (greedy)"),
    "greedy-no-skip": lambda: _("Most votes first, stopping at the first that does not fit"),
    "greedy-threshold": lambda: _("Most votes first, above a threshold"),
    "equalshares": lambda: _("Method of Equal Shares"),
    "equalshares/add1": lambda: _("Method of Equal Shares, completed by Add1"),
    "equalshares/add1/greedy": lambda: _("Method of Equal Shares, Add1, then most votes first"),
    "equalshares/add1-comparison": lambda: _("Method of Equal Shares with Add1, or greedy if voters prefer it"),
    "phragmen": lambda: _("Sequential Phragmén"),
    "irv": lambda: _("Instant-runoff"),
}
_PURPOSES: dict[str, Callable[[], str]] = {
    "tokens": lambda: _("sessions and access tokens"),
    "signing": lambda: _("signing exports and checkpoints"),
}


def role_words(role: str) -> str:
    """``poll_officer`` as "poll officer" (« assesseur »); an unknown code as it is."""
    return _ROLES[role]() if role in _ROLES else role


def rule_words(rule: str) -> str:
    """``equalshares`` as "Method of Equal Shares"; a rule added later without words keeps its code."""
    return _RULES[rule]() if rule in _RULES else rule


def key_purpose_words(purpose: str) -> str:
    return _PURPOSES[purpose]() if purpose in _PURPOSES else purpose


def as_moment(value: str | datetime | None) -> datetime | None:
    """A moment kept as ISO text (keys, checkpoints) as a datetime, so it can be shown in the city's zone."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
