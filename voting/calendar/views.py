"""Turning calendar entries into API schemas, and API bodies into the service's input."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from auth.principal import Principal
from voting.calendar.rules import Dated, TimelineEntry, phase_label
from voting.calendar.schemas import CalendarPublic, CalendarUpdate, PhasePublic
from voting.calendar.service import PhaseInput, load_timeline
from voting.presentation import from_local

__all__ = ["calendar_public", "stored_phases", "phase_inputs", "home_calendar"]


def calendar_public(neighbourhood_id: int | None, entries: list[TimelineEntry]) -> CalendarPublic:
    current = [entry.phase for entry in entries if entry.state == "current"]
    supports = next((entry for entry in entries if entry.phase == "supports"), None)
    return CalendarPublic(
        neighbourhood_id=neighbourhood_id, current_phase=current[-1] if current else None,
        supports_open=supports is None or supports.state == "current",
        phases=[PhasePublic(phase=e.phase, label=phase_label(e.phase), starts_at=e.starts_at, ends_at=e.ends_at,
                            neighbourhood_id=e.neighbourhood_id, state=e.state) for e in entries])


def stored_phases(rows: list[Dated], now: datetime | None = None) -> list[PhasePublic]:
    now = now or datetime.now(UTC)
    return [PhasePublic(phase=d.phase, label=phase_label(d.phase), starts_at=d.starts_at, ends_at=d.ends_at,
                        neighbourhood_id=d.neighbourhood_id,
                        state="past" if d.ends_at <= now else "current" if d.contains(now) else "upcoming")
            for d in rows]


def phase_inputs(data: CalendarUpdate) -> list[PhaseInput]:
    """The body's phases, moments without a zone read in the city's time zone."""
    return [(p.phase, from_local(p.starts_at), from_local(p.ends_at)) for p in data.phases]


async def home_calendar(session: Any, viewer: Principal | None) -> dict[str, Any]:
    """The home page's timeline: the logged-in resident's neighbourhood's phases, else the city's."""
    hood = viewer.neighbourhood_id if viewer is not None else None
    return {"calendar": await load_timeline(session, hood), "calendar_hood": hood, "phase_label": phase_label}
