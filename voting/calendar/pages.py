"""The calendar's admin page: admins set the city's phases, moderators their neighbourhoods' (/admin/calendar)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from auth.guards import current_principal, requires_moderator
from auth.principal import Principal, can_moderate
from voting.calendar.rules import PHASES, phase_label
from voting.calendar.service import PhaseInput, load_phases, load_timeline, set_calendar
from voting.city import list_neighbourhoods
from voting.database import DBSession
from voting.domain import DomainError
from voting.i18n import gettext as _
from voting.presentation import current_style, from_local

__all__ = ["CalendarPages", "phases_from_form"]

FORMAT = "%Y-%m-%dT%H:%M"


def _moment(text: str, phase: str, problems: list[str]) -> datetime | None:
    if not text.strip():
        return None
    try:
        return from_local(datetime.strptime(text.strip()[:16], FORMAT))
    except ValueError:
        problems.append(_("The dates of the phase {phase} are not valid.").format(phase=phase_label(phase)))
        return None


def phases_from_form(form: Any) -> tuple[list[PhaseInput], list[str]]:
    """The phases typed in the form (a phase left blank is not set), and what could not be read."""
    phases: list[PhaseInput] = []
    problems: list[str] = []
    for phase in PHASES:
        start, end = str(form.get(f"{phase}_starts") or ""), str(form.get(f"{phase}_ends") or "")
        if start.strip() or end.strip():
            phases.append((phase, _moment(start, phase, problems), _moment(end, phase, problems)))
    return phases, problems


def _scope(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() and 0 < int(text) < 2**31 else None


def _local(moment: datetime | None) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(current_style().time_zone)).strftime(FORMAT) if moment else ""


async def _context(session: Any, principal: Principal, neighbourhood_id: int | None) -> dict[str, Any]:
    every_hood = await list_neighbourhoods(session)
    hoods = [h for h in every_hood if can_moderate(principal, h.id)]
    if neighbourhood_id is None and not principal.is_admin and hoods:
        neighbourhood_id = hoods[0].id
    own = {d.phase: d for d in await load_phases(session, neighbourhood_id) if d.neighbourhood_id == neighbourhood_id}
    every = await load_phases(session, every_scope=True)
    return {"hoods": hoods, "scope": neighbourhood_id, "phases": PHASES, "label": phase_label,
            "values": {p: (_local(own[p].starts_at), _local(own[p].ends_at)) if p in own else ("", "")
                       for p in PHASES},
            "applies": await load_timeline(session, neighbourhood_id), "every": every,
            "by_id": {h.id: h for h in every_hood}, "can_city": principal.is_admin}


class CalendarPages(Controller):
    path = "/admin/calendar"
    guards = [requires_moderator]
    include_in_schema = False

    @get("/", name="admin_calendar", media_type=MediaType.HTML)
    async def show(self, request: Request[Any, Any, Any], db_session: DBSession,
                   neighbourhood: Annotated[str | None, QueryParameter(name="neighbourhood")] = None,
                   done: Annotated[str | None, QueryParameter()] = None) -> Template:
        context = await _context(db_session, current_principal(request), _scope(neighbourhood))
        return Template("calendar/edit.html", context={**context, "done": done})

    @post("/", media_type=MediaType.HTML)
    async def save(self, request: Request[Any, Any, Any], db_session: DBSession) -> Any:
        form = await request.form()
        scope, (phases, problems) = _scope(str(form.get("neighbourhood") or "")), phases_from_form(form)
        try:
            if problems:
                raise DomainError(" ".join(problems), extra=problems)
            await set_calendar(db_session, current_principal(request), scope, phases)
        except DomainError as error:
            await db_session.rollback()
            context = await _context(db_session, current_principal(request), scope)
            typed = {p: (str(form.get(f"{p}_starts") or ""), str(form.get(f"{p}_ends") or "")) for p in PHASES}
            return Template("calendar/edit.html", status_code=422 if error.status_code == 400 else error.status_code,
                            context={**context, "values": typed, "error": error.message,
                                     "problems": error.extra or []})
        return Redirect(f"/admin/calendar?neighbourhood={scope or ''}&done=1")
