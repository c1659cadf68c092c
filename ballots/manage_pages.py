"""Moderator pages of a ballot (create it, move it, import the roll); poll officers' paper votes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from pydantic import ValidationError

from auth.guards import current_principal, requires_moderator, requires_poll_officer
from auth.principal import can_moderate
from ballots.errors import ForbiddenTransition, NotAllowed
from ballots.forms import ballot_from_form, choice_from_form, upload_text
from ballots.groups.schemas import GroupCreate, GroupUpdate
from ballots.groups.service import create_group, delete_group, manages_group, update_group
from ballots.lifecycle import CONFIRMED_TRANSITIONS, allowed_transitions, config_frozen, transition_refusal
from ballots.roll import import_roll
from ballots.schemas import BallotCreate, BallotUpdate
from ballots.service import BallotView, create_ballot, update_ballot, view_ballot, window_of
from ballots.settings_form import KINDS, rows_from_form
from ballots.settings_pages import (
    ballot_fields,
    draft_fields,
    edit_context,
    group_context,
    group_edit_context,
    group_fields,
    new_context,
    refusal_of,
    updated_fields,
)
from ballots.vote_log import checkpoint_ballot
from ballots.votes import cast_paper, cast_paper_batch
from voting.database import DBSession
from voting.domain import Conflict, DomainError
from voting.i18n import gettext as _
from voting.results.service import move_ballot

__all__ = ["BallotManagePages", "PaperVotePages"]


def _frozen() -> str:
    return _("The settings of a ballot are frozen once it opens.")


def _key_secret(request: Request[Any, Any, Any]) -> str | None:
    return request.app.state.settings.key_secret  # type: ignore[no-any-return]


class BallotManagePages(Controller):
    include_in_schema = False
    guards = [requires_moderator]

    @get("/ballots/new", name="ballot_new")
    async def new_form(self, db_session: DBSession) -> Template:
        return Template("ballots/new.html", context=await new_context(db_session, {}))

    @post("/ballots/new", media_type=MediaType.HTML)
    async def create(self, request: Request[Any, Any, Any], db_session: DBSession) -> Any:
        """A refusal shows the form again with what was typed and each reason beside its field (never a 500)."""
        form = await request.form()
        fields: dict[str, Any] = ballot_from_form(form)
        rows = {kind: rows_from_form(form, kind) for kind in KINDS}
        try:
            fields, rows = ballot_fields(form)
            ballot = await create_ballot(db_session, current_principal(request), BallotCreate(**fields))
        except (DomainError, ValidationError, ValueError) as error:
            await db_session.rollback()
            typed = {name: str(form.get(name) or "") for name in ("opens_at", "closes_at")}  # as typed, local time
            return Template("ballots/new.html", status_code=refusal_of(error).status_code, context=await new_context(
                db_session, fields, rows, refusal_of(error), typed))
        return Redirect(f"/ballots/{ballot.id}")

    @get("/ballots/{ballot_id:int}/edit", name="ballot_edit")
    async def edit_form(self, request: Request[Any, Any, Any], db_session: DBSession,
                        ballot_id: FromPath[int]) -> Template:
        view = await _managed_view(request, db_session, ballot_id)
        if config_frozen(window_of(view.ballot)):
            return await _manage_page(request, db_session, ballot_id, ForbiddenTransition(_frozen()))
        return Template("ballots/edit.html", context=await edit_context(db_session, view))

    @post("/ballots/{ballot_id:int}/edit", media_type=MediaType.HTML)
    async def edit(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: FromPath[int]) -> Any:
        """A draft's settings saved; a refusal shows the form again as typed, each reason beside its field."""
        form = await request.form()
        view = await _managed_view(request, db_session, ballot_id)
        fields: dict[str, Any] = ballot_from_form(form)
        rows = {kind: rows_from_form(form, kind) for kind in KINDS}
        try:
            fields, rows = draft_fields(form)
            await update_ballot(db_session, current_principal(request), ballot_id,
                                updated_fields(BallotUpdate(**fields), view.ballot))
        except (DomainError, ValidationError, ValueError) as error:
            if isinstance(error, DomainError) and error.status_code in (403, 404):
                raise
            await db_session.rollback()
            typed = {name: str(form.get(name) or "") for name in ("opens_at", "closes_at")}
            view = await _managed_view(request, db_session, ballot_id)
            return Template("ballots/edit.html", status_code=refusal_of(error).status_code, context=await edit_context(
                db_session, view, fields, rows, refusal_of(error), typed))
        return Redirect(f"/ballots/{ballot_id}")

    @get("/ballots/groups/new", name="ballot_group_new")
    async def group_form(self, request: Request[Any, Any, Any], db_session: DBSession) -> Template:
        return Template("ballots/group_new.html",
                        context=await group_context(db_session, current_principal(request), {}))

    @post("/ballots/groups/new", media_type=MediaType.HTML)
    async def group(self, request: Request[Any, Any, Any], db_session: DBSession) -> Any:
        fields = group_fields(await request.form())
        try:
            _group, ballot_ids = await create_group(db_session, current_principal(request), GroupCreate(**fields))
        except (DomainError, ValidationError) as error:
            if isinstance(error, DomainError) and error.status_code in (403, 404):
                raise
            await db_session.rollback()
            return Template("ballots/group_new.html", status_code=refusal_of(error).status_code,
                            context=await group_context(db_session, current_principal(request), fields,
                                                        refusal_of(error)))
        return Redirect(f"/ballots/{fields.get('city_ballot_id') or ballot_ids[0]}")

    @get("/ballots/groups/{group_id:int}/edit", name="ballot_group_edit")
    async def group_edit_form(self, request: Request[Any, Any, Any], db_session: DBSession,
                              group_id: FromPath[int]) -> Template:
        """The group as stored, to change or delete; a 409 naming the ballot once one is no longer a draft."""
        context = await group_edit_context(db_session, current_principal(request), group_id)
        return Template("ballots/group_new.html", status_code=409 if context["frozen"] else 200, context=context)

    @post("/ballots/groups/{group_id:int}/edit", media_type=MediaType.HTML)
    async def group_edit(self, request: Request[Any, Any, Any], db_session: DBSession,
                         group_id: FromPath[int]) -> Any:
        fields = group_fields(await request.form())
        try:
            _group, ballot_ids = await update_group(db_session, current_principal(request), group_id,
                                                    GroupUpdate(**fields))
        except (DomainError, ValidationError) as error:
            return await _group_refused(request, db_session, group_id, error, fields)
        return Redirect(f"/ballots/{fields.get('city_ballot_id') or ballot_ids[0]}")

    @post("/ballots/groups/{group_id:int}/delete", media_type=MediaType.HTML)
    async def group_delete(self, request: Request[Any, Any, Any], db_session: DBSession,
                           group_id: FromPath[int]) -> Any:
        """The group's ballots leave it and stay drafts (back to the first of them)."""
        try:
            freed = await delete_group(db_session, current_principal(request), group_id)
        except DomainError as error:
            return await _group_refused(request, db_session, group_id, error)
        return Redirect(f"/ballots/{freed[0]}/manage" if freed else "/ballots")

    @get("/ballots/{ballot_id:int}/manage", name="ballot_manage")
    async def manage(self, request: Request[Any, Any, Any], db_session: DBSession,
                     ballot_id: FromPath[int]) -> Template:
        return await _manage_page(request, db_session, ballot_id)

    @get("/ballots/{ballot_id:int}/manage/confirm", name="ballot_confirm")
    async def confirm(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: FromPath[int],
                      to: Annotated[str, QueryParameter(max_length=20)] = "") -> Template:
        """The second step of close, cancel and publish: what happens, then the button that does it."""
        view = await _managed_view(request, db_session, ballot_id)
        refusal = transition_refusal(window_of(view.ballot), to, datetime.now(UTC), reason="given")
        if refusal or to not in CONFIRMED_TRANSITIONS:
            return await _manage_page(request, db_session, ballot_id, Conflict(refusal or _("Nothing to confirm.")))
        return Template("ballots/confirm.html", context={"view": view, "target": to, "reason": ""})

    @post("/ballots/{ballot_id:int}/status", media_type=MediaType.HTML)
    async def transition(self, request: Request[Any, Any, Any], db_session: DBSession,
                         ballot_id: FromPath[int]) -> Any:
        """Close, cancel and publish happen only once confirmed; a refusal comes back to the manage page."""
        form = await request.form()
        target, reason = str(form.get("to") or ""), str(form.get("reason") or "")
        try:
            view = await _managed_view(request, db_session, ballot_id)
            refusal = transition_refusal(window_of(view.ballot), target, datetime.now(UTC), reason="given")
            if refusal is None and target in CONFIRMED_TRANSITIONS and form.get("confirm") != "yes":
                return Template("ballots/confirm.html", context={"view": view, "target": target, "reason": reason})
            await move_ballot(db_session, current_principal(request), ballot_id, target, reason=reason,
                              key_secret=_key_secret(request))
        except DomainError as error:
            if error.status_code in (403, 404):
                raise
            await db_session.rollback()
            if target == "cancelled" and not reason.strip():
                view = await _managed_view(request, db_session, ballot_id)
                return Template("ballots/confirm.html", status_code=error.status_code,
                                context={"view": view, "target": target, "reason": reason, "error": error.message})
            return await _manage_page(request, db_session, ballot_id, error)
        return Redirect(f"/ballots/{ballot_id}")

    @post("/ballots/{ballot_id:int}/checkpoint", media_type=MediaType.HTML)
    async def checkpoint(self, request: Request[Any, Any, Any], db_session: DBSession,
                         ballot_id: FromPath[int]) -> Redirect:
        await checkpoint_ballot(db_session, current_principal(request), ballot_id, _key_secret(request))
        return Redirect(f"/ballots/{ballot_id}")

    @get("/ballots/{ballot_id:int}/roll", name="ballot_roll")
    async def roll_form(self, db_session: DBSession, ballot_id: FromPath[int]) -> Template:
        return Template("ballots/roll.html", context={"view": await view_ballot(db_session, ballot_id),
                                                      "report": None})

    @post("/ballots/{ballot_id:int}/roll", media_type=MediaType.HTML)
    async def roll(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: FromPath[int]) -> Template:
        text = await upload_text(await request.form())
        report = await import_roll(db_session, current_principal(request), ballot_id, text)
        return Template("ballots/roll.html", context={"view": await view_ballot(db_session, ballot_id),
                                                      "report": report})


class PaperVotePages(Controller):
    """Poll officers (of the ballot's neighbourhood) and admins enter the votes of residents who came in person."""

    include_in_schema = False
    guards = [requires_poll_officer]

    @get("/ballots/{ballot_id:int}/paper", name="ballot_paper")
    async def paper_form(self, db_session: DBSession, ballot_id: FromPath[int]) -> Template:
        return Template("ballots/paper.html", context={"view": await view_ballot(db_session, ballot_id)})

    @post("/ballots/{ballot_id:int}/paper", media_type=MediaType.HTML)
    async def paper(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: FromPath[int]) -> Any:
        form = await request.form()
        view = await view_ballot(db_session, ballot_id)
        principal = current_principal(request)
        try:
            if form.get("mode") == "batch":
                casts = await cast_paper_batch(db_session, principal, ballot_id, await upload_text(form))
            else:
                casts = [await cast_paper(db_session, principal, ballot_id, str(form.get("voter") or ""),
                                          choice_from_form(form, view.ballot.vote_format))]
        except DomainError as error:
            await db_session.rollback()
            view = await view_ballot(db_session, ballot_id)
            return Template("ballots/paper.html", status_code=error.status_code,
                            context={"view": view, "error": error.message, "reasons": error.extra or []})
        return Template("ballots/paper.html", context={"view": view, "casts": casts})


async def _group_refused(request: Request[Any, Any, Any], db_session: Any, group_id: int, error: Exception,
                         fields: dict[str, Any] | None = None) -> Template:
    """A refused change of a group: its form again (as typed), the reasons beside their fields."""
    if isinstance(error, DomainError) and error.status_code in (403, 404):
        raise error
    await db_session.rollback()
    context = await group_edit_context(db_session, current_principal(request), group_id, fields, refusal_of(error))
    return Template("ballots/group_new.html", status_code=context["status"], context=context)


async def _managed_view(request: Request[Any, Any, Any], db_session: Any, ballot_id: int) -> BallotView:
    """The ballot, when the moderator manages its neighbourhood (403 otherwise)."""
    view = await view_ballot(db_session, ballot_id)
    if not can_moderate(current_principal(request), view.ballot.neighbourhood_id):
        raise NotAllowed(_("Only the moderators of this ballot's neighbourhood can manage it."))
    return view


async def _manage_page(request: Request[Any, Any, Any], db_session: Any, ballot_id: int,
                       error: DomainError | None = None) -> Template:
    view = await _managed_view(request, db_session, ballot_id)
    paths = {route.path for route in request.app.routes}
    group = view.ballot.group_id if view.status == "draft" else None  # the group's link shows on drafts only
    return Template("ballots/manage.html", status_code=error.status_code if error else 200, context={
        "view": view, "allowed": allowed_transitions(window_of(view.ballot), datetime.now(UTC)),
        "confirmed": CONFIRMED_TRANSITIONS, "error": error.message if error else None,
        "reasons": (error.extra if error and isinstance(error.extra, list) else []),
        "manages_group": group is not None and await manages_group(db_session, current_principal(request), group),
        "shortlist_url": f"/ballots/{ballot_id}/shortlist" if "/ballots/{ballot_id:int}/shortlist" in paths else None})

