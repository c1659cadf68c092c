"""Calendar use cases: read the phases that apply, and set a scope's phases (audited)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal, can_moderate
from voting.audit.service import record
from voting.calendar.models import ProcessPhase
from voting.calendar.rules import PHASES, Dated, TimelineEntry, calendar_problems, timeline, window_of
from voting.domain import Forbidden, Invalid, NotFound
from voting.i18n import gettext as _
from voting.models import Neighbourhood

__all__ = ["load_phases", "load_timeline", "phase_window", "set_calendar", "PhaseInput"]

PhaseInput = tuple[str, datetime | None, datetime | None]


def _dated(row: ProcessPhase) -> Dated:
    return Dated(row.phase, row.starts_at, row.ends_at, row.neighbourhood_id)


async def load_phases(session: AsyncSession, neighbourhood_id: int | None = None, *,
                      every_scope: bool = False) -> list[Dated]:
    """The city's phases and the neighbourhood's own (every neighbourhood's with ``every_scope``)."""
    query = select(ProcessPhase)
    if not every_scope:
        query = query.where(or_(col(ProcessPhase.neighbourhood_id).is_(None),
                                col(ProcessPhase.neighbourhood_id) == neighbourhood_id))
    rows = (await session.exec(query.order_by(col(ProcessPhase.neighbourhood_id).nulls_first(),
                                              col(ProcessPhase.starts_at)))).all()
    return [_dated(row) for row in rows]


async def load_timeline(session: AsyncSession, neighbourhood_id: int | None = None,
                        now: datetime | None = None) -> list[TimelineEntry]:
    """The phases that apply to the neighbourhood (the city's where it has none of its own), past to future."""
    return timeline(await load_phases(session, neighbourhood_id), neighbourhood_id, now or datetime.now(UTC))


async def phase_window(session: AsyncSession, phase: str, neighbourhood_id: int | None) -> Dated | None:
    """One phase's dates for a neighbourhood (its own, else the city's); None when no calendar sets it."""
    rows = (await session.exec(select(ProcessPhase).where(
        ProcessPhase.phase == phase, or_(col(ProcessPhase.neighbourhood_id).is_(None),
                                         col(ProcessPhase.neighbourhood_id) == neighbourhood_id)))).all()
    return window_of([_dated(row) for row in rows], phase, neighbourhood_id)


async def set_calendar(session: AsyncSession, principal: Principal, neighbourhood_id: int | None,
                       phases: Sequence[PhaseInput]) -> list[Dated]:
    """Replace the phases of one scope (the city when ``neighbourhood_id`` is None) with these; none clears it.

    Admins set every scope; moderators their neighbourhoods'. Refusals store nothing.
    """
    if not can_moderate(principal, neighbourhood_id):
        raise Forbidden(_("Only admins set the city's calendar, and moderators their neighbourhoods'.")
                        if neighbourhood_id is None else
                        _("Only moderators of this neighbourhood and admins set its calendar."))
    if neighbourhood_id is not None and await session.get(Neighbourhood, neighbourhood_id) is None:
        raise NotFound(_("There is no neighbourhood {id}.").format(id=neighbourhood_id))
    problems = calendar_problems(phases)
    if problems:
        raise Invalid(" ".join(problems), extra=problems)
    scope = (col(ProcessPhase.neighbourhood_id).is_(None) if neighbourhood_id is None
             else col(ProcessPhase.neighbourhood_id) == neighbourhood_id)
    await session.exec(delete(ProcessPhase).where(scope))  # type: ignore[call-overload]
    ordered = sorted((Dated(phase, start, end, neighbourhood_id) for phase, start, end in phases
                      if start is not None and end is not None), key=lambda dated: PHASES.index(dated.phase))
    for dated in ordered:
        session.add(ProcessPhase(neighbourhood_id=neighbourhood_id, phase=dated.phase, starts_at=dated.starts_at,
                                 ends_at=dated.ends_at))
    await session.flush()
    await record(session, actor=f"account:{principal.id}", action="calendar.set",
                 subject=f"calendar:{'city' if neighbourhood_id is None else neighbourhood_id}",
                 data={"neighbourhood_id": neighbourhood_id,
                       "phases": [{"phase": d.phase, "starts_at": _iso(d.starts_at), "ends_at": _iso(d.ends_at)}
                                  for d in ordered]})
    return ordered


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
