"""The ballot lifecycle: which transitions are allowed, and what the clock says whatever the stored status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from voting.i18n import gettext as _

__all__ = ["TRANSITIONS", "CONFIRMED_TRANSITIONS", "Window", "effective_status", "accepts_votes",
           "transition_refusal", "allowed_transitions", "vote_refusal", "config_frozen"]

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"open", "cancelled"}),
    "open": frozenset({"closed", "cancelled"}),
    "closed": frozenset({"tallied"}),
    "tallied": frozenset({"published"}),
    "published": frozenset(),
    "cancelled": frozenset(),
}

CONFIRMED_TRANSITIONS = frozenset({"closed", "cancelled", "published"})
"""Moves that cannot be undone and that a moderator confirms on a second page before they happen."""


@dataclass(frozen=True)
class Window:
    status: str
    opens_at: datetime
    closes_at: datetime


def effective_status(window: Window, now: datetime) -> str:
    """An open ballot whose ``closes_at`` has passed is closed, even if nobody pressed "close"."""
    if window.status == "open" and now >= window.closes_at:
        return "closed"
    return window.status


def accepts_votes(window: Window, now: datetime) -> bool:
    return window.status == "open" and window.opens_at <= now < window.closes_at


def vote_refusal(window: Window, now: datetime) -> str | None:
    """Why a vote at ``now`` is refused by the calendar or the status, or None when it is accepted."""
    status = effective_status(window, now)
    if status == "open" and now < window.opens_at:
        return _("Voting has not started yet.")
    if status == "closed" or status in ("tallied", "published"):
        return _("Voting is closed.")
    if status == "cancelled":
        return _("This ballot was cancelled.")
    if status == "draft":
        return _("This ballot is not open.")
    return None


def transition_refusal(window: Window, target: str, now: datetime, reason: str = "") -> str | None:
    """Why the ballot cannot go to ``target`` now, or None when it can."""
    current = effective_status(window, now)
    if target not in TRANSITIONS.get(current, frozenset()):
        return _("A ballot cannot go from {current} to {target}.").format(current=current, target=target)
    if target == "cancelled" and not reason.strip():
        return _("Give a reason to cancel a ballot.")
    if target == "open" and now >= window.closes_at:
        return _("The closing date has already passed.")
    return None


def allowed_transitions(window: Window, now: datetime) -> list[str]:
    """The moves a moderator may ask for now, in lifecycle order (cancelling also needs a reason, asked then)."""
    order = ("open", "closed", "tallied", "published", "cancelled")
    return [target for target in order if transition_refusal(window, target, now, reason="given") is None]


def config_frozen(window: Window) -> bool:
    """Only a draft's settings, proposals and format may change."""
    return window.status != "draft"
