"""Voter-facing ballot pages: the list, a ballot with its turnout, the voting form and receipt checks."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from auth.guards import current_principal, requires_login
from auth.principal import Principal, can_enter_paper_votes, can_moderate
from ballots.errors import ReceiptNotFound
from ballots.forms import choice_from_form
from ballots.groups.service import group_of
from ballots.receipt_check import check_receipt
from ballots.service import list_ballots, view_ballot, view_visible_ballot
from ballots.turnout import turnout
from ballots.vote_cards import vote_cards
from ballots.vote_screen import memory_key
from ballots.vote_view import choice_reasons, review_page, vote_page
from ballots.voters import standing_context
from ballots.votes import cast_online
from voting.database import DBSession
from voting.domain import DomainError
from voting.i18n import gettext as _

__all__ = ["BallotPages"]


def _can_manage(request: Request[Any, Any, Any], neighbourhood_id: int | None) -> bool:
    return can_moderate(request.scope.get("user"), neighbourhood_id)  # type: ignore[arg-type]


def _shortlist_url(request: Request[Any, Any, Any], ballot_id: int) -> str | None:
    paths = {route.path for route in request.app.routes}
    return f"/ballots/{ballot_id}/shortlist" if "/ballots/{ballot_id:int}/shortlist" in paths else None


class BallotPages(Controller):
    include_in_schema = False

    @get("/ballots", name="ballots")
    async def index(self, request: Request[Any, Any, Any], db_session: DBSession) -> Template:
        ballots = await list_ballots(db_session, request.scope.get("user"))
        return Template("ballots/index.html", context={"ballots": [await view_ballot(db_session, b.id or 0)
                                                                    for b in ballots]})

    @get("/ballots/{ballot_id:int}", name="ballot")
    async def show(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: FromPath[int]) -> Template:
        view = await view_visible_ballot(db_session, ballot_id, request.scope.get("user"))
        return Template("ballots/show.html", context={
            "view": view, "turnout": await turnout(db_session, ballot_id),
            "cards": await vote_cards(db_session, ballot_id),
            "can_manage": _can_manage(request, view.ballot.neighbourhood_id),
            "can_enter_paper": can_enter_paper_votes(request.scope.get("user"), view.ballot.neighbourhood_id),
            "shortlist_url": _shortlist_url(request, ballot_id),
            "group": await group_of(db_session, view.ballot.group_id),
            **await standing_context(db_session, view, request.scope.get("user"))})

    @get("/ballots/{ballot_id:int}/vote", name="ballot_vote", guards=[requires_login])
    async def vote_form(self, request: Request[Any, Any, Any], db_session: DBSession,
                        ballot_id: FromPath[int]) -> Template:
        context = await vote_page(db_session, ballot_id, {}, current_principal(request))
        return Template("ballots/vote.html", context=context, status_code=200 if context["standing"].can_vote else 403)

    @post("/ballots/{ballot_id:int}/vote", guards=[requires_login], media_type=MediaType.HTML)
    async def vote(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: FromPath[int]) -> Any:
        """``action``: ``check`` shows the totals (the counter without JavaScript), ``edit`` the form again with the
        choice, ``review`` the choice to confirm (or the form with what is wrong beside each control); else cast."""
        form = await request.form()
        principal = current_principal(request)
        choice = choice_from_form(form, (await view_ballot(db_session, ballot_id)).ballot.vote_format)
        action, key = form.get("action"), str(form.get("idempotency_key") or "")
        if action in ("check", "edit"):
            return Template("ballots/vote.html", context=await vote_page(db_session, ballot_id, choice, principal,
                                                                         idempotency_key=key))
        if action in ("review", "blank"):  # "blank": the "vote blank" button, reviewed like any choice
            return await _review(db_session, ballot_id, choice, principal, key)
        try:
            cast = await cast_online(db_session, principal, ballot_id, choice, key)
        except DomainError as error:
            await db_session.rollback()
            context = await vote_page(db_session, ballot_id, choice, principal, error=error.message,
                                      reasons=error.extra or [])
            return Template("ballots/vote.html", status_code=error.status_code, context=context)
        return Template("ballots/receipt.html", context={
            "view": await view_ballot(db_session, ballot_id), "cast": cast,
            "memory_key": memory_key(ballot_id, principal.id)})

    @get("/receipts", name="receipts")
    async def receipt_form(self) -> Template:
        return Template("ballots/check.html", context={"check": None, "code": ""})

    @post("/receipts", media_type=MediaType.HTML)
    async def receipt_check(self, request: Request[Any, Any, Any], db_session: DBSession) -> Template:
        code = str((await request.form()).get("code") or "").strip()
        try:
            check = await check_receipt(db_session, code)
        except ReceiptNotFound as error:
            return Template("ballots/check.html", status_code=404,
                            context={"check": None, "code": code, "error": error.message})
        return Template("ballots/check.html", context={"check": check, "code": code})



async def _review(db_session: Any, ballot_id: int, choice: dict[str, Any], principal: Principal,
                  key: str) -> Template:
    """The review page, or the vote form with each refusal beside its control (nothing is cast either way)."""
    reasons = await choice_reasons(db_session, ballot_id, choice)
    context = await review_page(db_session, ballot_id, choice, principal, key)
    if reasons or not context["standing"].can_vote:
        return Template("ballots/vote.html", status_code=422 if reasons else 403, context=await vote_page(
            db_session, ballot_id, choice, principal, idempotency_key=key,
            error=_("Your choice cannot be cast yet: see the messages beside the projects.") if reasons else None,
            reasons=reasons))
    return Template("ballots/review.html", context=context)
