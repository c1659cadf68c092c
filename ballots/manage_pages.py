"""Moderator pages of a ballot (create it, move it, import the roll); poll officers' paper votes."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

from auth.guards import current_principal, requires_moderator, requires_poll_officer
from ballots.forms import ballot_from_form, choice_from_form, upload_text
from ballots.roll import import_roll
from ballots.schemas import BallotCreate
from ballots.service import accepted_proposals, create_ballot, view_ballot
from ballots.tally_rules import DEFAULT_TIE_BREAK_TEXT, RULE_NAMES
from ballots.vote_log import checkpoint_ballot
from ballots.votes import cast_paper, cast_paper_batch
from voting.city import list_neighbourhoods
from voting.database import DBSession
from voting.domain import DomainError
from voting.i18n import gettext as _
from voting.results.service import move_ballot
from voting.results.wording import describe_rule

__all__ = ["BallotManagePages", "PaperVotePages"]


def _key_secret(request: Request[Any, Any, Any]) -> str | None:
    return request.app.state.settings.key_secret  # type: ignore[no-any-return]


class BallotManagePages(Controller):
    include_in_schema = False
    guards = [requires_moderator]

    @get("/ballots/new", name="ballot_new")
    async def new_form(self, db_session: DBSession) -> Template:
        return Template("ballots/new.html", context=await _new_context(db_session, {}))

    @post("/ballots/new", media_type=MediaType.HTML)
    async def create(self, request: Request[Any, Any, Any], db_session: DBSession) -> Any:
        fields: dict[str, Any] = {}
        try:
            fields = ballot_from_form(await request.form())
            ballot = await create_ballot(db_session, current_principal(request), BallotCreate(**fields))
        except (DomainError, ValidationError, ValueError) as error:
            await db_session.rollback()
            reasons = getattr(error, "extra", None) or [
                {"message": f"{'.'.join(map(str, e['loc']))}: {e['msg']}"} for e in getattr(error, "errors", list)()]
            return Template("ballots/new.html", status_code=getattr(error, "status_code", 422),
                            context={**await _new_context(db_session, fields),
                                     "error": getattr(error, "message", _("Check the form.")), "reasons": reasons})
        return Redirect(f"/ballots/{ballot.id}")

    @post("/ballots/{ballot_id:int}/status", media_type=MediaType.HTML)
    async def transition(self, request: Request[Any, Any, Any], db_session: DBSession,
                         ballot_id: FromPath[int]) -> Redirect:
        form = await request.form()
        await move_ballot(db_session, current_principal(request), ballot_id, str(form.get("to") or ""),
                          reason=str(form.get("reason") or ""), key_secret=_key_secret(request))
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


async def _new_context(db_session: Any, fields: dict[str, Any]) -> dict[str, Any]:
    return {"neighbourhoods": await list_neighbourhoods(db_session), "proposals": await accepted_proposals(db_session),
            "rules": RULE_NAMES, "rule_texts": {rule: describe_rule(rule) for rule in RULE_NAMES},
            "default_tie_break": DEFAULT_TIE_BREAK_TEXT, "fields": fields}
