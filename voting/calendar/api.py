"""JSON API of the calendar: the phases that apply (public), and setting a scope's phases (admins, moderators)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, put
from litestar.params import JSONBody, QueryParameter

from auth.guards import current_principal, requires_moderator
from voting.calendar.schemas import CalendarPublic, CalendarUpdate, PhasePublic
from voting.calendar.service import load_phases, load_timeline, set_calendar
from voting.calendar.views import calendar_public, phase_inputs, stored_phases
from voting.database import DBSession
from voting.fields import INTEGER_MAX

__all__ = ["CalendarAPI"]

HoodQuery = Annotated[int | None, QueryParameter(name="neighbourhood_id", ge=1, le=INTEGER_MAX, required=False)]


class CalendarAPI(Controller):
    tags = ["calendar"]

    @get("/api/v1/calendar", operation_id="getCalendar")
    async def show(self, db_session: DBSession, neighbourhood_id: HoodQuery = None) -> CalendarPublic:
        """The phases that apply to the neighbourhood (its own dates, else the city's), or the city's alone."""
        return calendar_public(neighbourhood_id, await load_timeline(db_session, neighbourhood_id))

    @get("/api/v1/admin/calendar", operation_id="listCalendars", guards=[requires_moderator])
    async def every(self, db_session: DBSession) -> list[PhasePublic]:
        """Every stored phase: the city's (``neighbourhood_id`` null) and each neighbourhood's own."""
        return stored_phases(await load_phases(db_session, every_scope=True))

    @put("/api/v1/admin/calendar", operation_id="setCalendar", guards=[requires_moderator])
    async def update(self, request: Request[Any, Any, Any], db_session: DBSession,
                     data: JSONBody[CalendarUpdate]) -> CalendarPublic:
        """Replace one scope's phases: the city's (admins), or a neighbourhood's (its moderators, admins)."""
        await set_calendar(db_session, current_principal(request), data.neighbourhood_id, phase_inputs(data))
        return calendar_public(data.neighbourhood_id, await load_timeline(db_session, data.neighbourhood_id))
