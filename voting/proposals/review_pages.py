"""Pages for taking workflow actions, the moderator's review queue and a draft ballot's shortlist."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel

from auth.guards import current_principal, requires_login
from voting.database import DBSession
from voting.i18n import gettext as _
from voting.proposals.errors import ProposalInvalid
from voting.proposals.form_pages import proposal_form_again
from voting.proposals.queries import review_queue
from voting.proposals.rules import parse_whole_number
from voting.proposals.service import act_on_proposal
from voting.proposals.shortlist import candidate_rows, current_shortlist, load_ballot_for_shortlist, shortlist_ballot
from voting.proposals.views import form_choices

__all__ = ["ReviewPages", "whole_number"]


class TransitionForm(BaseModel):
    action: str = ""
    message: str = ""
    validated_cost: str = ""


class ShortlistForm(BaseModel):
    mode: str = "manual"
    proposal_ids: list[str] | str = []
    n: str = ""
    k: str = ""


def whole_number(value: str, label: str) -> int | None:
    try:
        return parse_whole_number(value)
    except ValueError:
        raise ProposalInvalid([_("{field} must be a whole number.").format(field=label)]) from None


class ReviewPages(Controller):
    include_in_schema = False

    @post("/proposals/{proposal_id:int}/transition", guards=[requires_login])
    async def transition(self, request: Request[Any, Any, Any], db_session: DBSession, proposal_id: FromPath[int],
                         data: URLEncodedBody[TransitionForm]) -> Redirect | Template:
        cost = whole_number(data.validated_cost, _("Validated cost"))
        try:
            await act_on_proposal(db_session, current_principal(request), proposal_id, data.action,
                                  message=data.message, validated_cost=cost)
        except ProposalInvalid as refused:
            if data.action != "submit":
                raise
            await db_session.rollback()  # a draft that lacks something: its form, the reasons beside the fields
            return await proposal_form_again(db_session, current_principal(request), proposal_id, refused)
        return Redirect(f"/proposals/{proposal_id}")

    @get("/proposals/review", name="review_queue", guards=[requires_login], media_type=MediaType.HTML)
    async def queue(self, request: Request[Any, Any, Any], db_session: DBSession) -> Template:
        rows = await review_queue(db_session, current_principal(request))
        return Template("proposals/queue.html", context={"rows": rows, "choices": await form_choices(db_session)})

    @get("/ballots/{ballot_id:int}/shortlist", name="ballot_shortlist", guards=[requires_login],
         media_type=MediaType.HTML)
    async def shortlist(self, request: Request[Any, Any, Any], db_session: DBSession,
                        ballot_id: FromPath[int]) -> Template:
        ballot = await load_ballot_for_shortlist(db_session, ballot_id, current_principal(request))
        return Template("proposals/shortlist.html", context={
            "ballot": ballot, "candidates": await candidate_rows(db_session, ballot.neighbourhood_id),
            "current": await current_shortlist(db_session, ballot_id)})

    @post("/ballots/{ballot_id:int}/shortlist", guards=[requires_login])
    async def set_shortlist(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: FromPath[int],
                            data: URLEncodedBody[ShortlistForm]) -> Redirect:
        raw_ids = [data.proposal_ids] if isinstance(data.proposal_ids, str) else data.proposal_ids
        ids = [number for number in (whole_number(raw, _("Proposal")) for raw in raw_ids) if number is not None]
        await shortlist_ballot(db_session, current_principal(request), ballot_id, data.mode, proposal_ids=ids,
                               n=whole_number(data.n, "n"), k=whole_number(data.k, "k"))
        return Redirect(f"/ballots/{ballot_id}/shortlist")
