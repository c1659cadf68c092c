"""Pure calendar rules: the phase that applies to a neighbourhood, the current one, checks of a new calendar."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from voting.i18n import gettext as _

__all__ = ["PHASES", "Dated", "TimelineEntry", "phase_label", "applicable", "timeline", "current_phase",
           "window_of", "window_refusal", "calendar_problems"]

PHASES = ("proposals", "supports", "review", "vote", "results")
"""The participatory process in order: residents propose, support, the city reviews, residents vote, results."""


@dataclass(frozen=True)
class Dated:
    """One phase's dates; ``neighbourhood_id`` None is the city's calendar."""

    phase: str
    starts_at: datetime
    ends_at: datetime
    neighbourhood_id: int | None = None

    def contains(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


@dataclass(frozen=True)
class TimelineEntry:
    phase: str
    starts_at: datetime
    ends_at: datetime
    neighbourhood_id: int | None  # whose dates these are: the neighbourhood's own, or None for the city's
    state: str  # past | current | upcoming


def phase_label(phase: str) -> str:
    labels = {"proposals": _("Proposals"), "supports": _("Supports"), "review": _("Review by the city"),
              "vote": _("Voting"), "results": _("Results")}
    return labels.get(phase, phase)


def applicable(rows: Iterable[Dated], neighbourhood_id: int | None) -> dict[str, Dated]:
    """Each phase's dates for a neighbourhood: its own where it has them, else the city's (None: the city's only)."""
    own: dict[str, Dated] = {}
    city: dict[str, Dated] = {}
    for row in rows:
        if row.neighbourhood_id is None:
            city[row.phase] = row
        elif row.neighbourhood_id == neighbourhood_id:
            own[row.phase] = row
    return {phase: own.get(phase) or city[phase] for phase in PHASES if phase in own or phase in city}


def timeline(rows: Iterable[Dated], neighbourhood_id: int | None, now: datetime) -> list[TimelineEntry]:
    """The phases that apply, in the process's order, each past, current or upcoming."""
    entries = []
    for phase, dated in applicable(rows, neighbourhood_id).items():
        state = "past" if dated.ends_at <= now else "current" if dated.contains(now) else "upcoming"
        entries.append(TimelineEntry(phase, dated.starts_at, dated.ends_at, dated.neighbourhood_id, state))
    return entries


def current_phase(rows: Iterable[Dated], neighbourhood_id: int | None, now: datetime) -> str | None:
    """The phase running now (the latest in the process's order if two overlap), None between phases."""
    running = [entry.phase for entry in timeline(rows, neighbourhood_id, now) if entry.state == "current"]
    return running[-1] if running else None


def window_of(rows: Iterable[Dated], phase: str, neighbourhood_id: int | None) -> Dated | None:
    return applicable(rows, neighbourhood_id).get(phase)


def window_refusal(window: Dated | None, now: datetime) -> str | None:
    """Why the phase is not running now; None when it is, or when no calendar sets it (a city without one
    is not blocked)."""
    if window is None or window.contains(now):
        return None
    if now < window.starts_at:
        return "not_yet"
    return "over"


def calendar_problems(phases: Sequence[tuple[str, datetime | None, datetime | None]]) -> list[str]:
    """Every reason a set of phases for one scope cannot be stored: unknown or repeated phase, missing or
    reversed dates."""
    problems: list[str] = []
    seen: set[str] = set()
    for phase, starts_at, ends_at in phases:
        if phase not in PHASES:
            problems.append(_("Unknown phase {phase}: use one of {phases}.").format(phase=phase,
                                                                                  phases=", ".join(PHASES)))
            continue
        if phase in seen:
            problems.append(_("The phase {phase} appears twice.").format(phase=phase_label(phase)))
        seen.add(phase)
        if starts_at is None or ends_at is None:
            problems.append(_("Give both dates of the phase {phase}.").format(phase=phase_label(phase)))
        elif starts_at.tzinfo is None or ends_at.tzinfo is None:
            problems.append(_("The dates of the phase {phase} need a time zone.").format(phase=phase_label(phase)))
        elif starts_at >= ends_at:
            problems.append(_("The phase {phase} must end after it starts.").format(phase=phase_label(phase)))
    return problems
