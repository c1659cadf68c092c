"""The proposal form for people: write a proposal with its photo, edit it after a moderator asked for changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody
from litestar.response import Redirect, Template

from auth.guards import current_principal, requires_login
from auth.principal import Principal
from voting.database import DBSession
from voting.errors import DomainError
from voting.proposals.photo import MAX_PHOTO_BYTES
from voting.proposals.service import act_on_proposal, create_proposal, editable_proposal, update_proposal
from voting.proposals.views import form_choices

__all__ = ["ProposalFormPages", "ProposalForm", "proposal_form_again"]

FIELDS = ("title", "summary", "description", "category", "neighbourhood_id", "estimated_cost", "address",
          "latitude", "longitude", "community")


@dataclass
class ProposalForm:
    title: str = ""
    summary: str = ""
    description: str = ""
    category: str = ""
    neighbourhood_id: str = ""
    estimated_cost: str = ""
    address: str = ""
    latitude: str = ""
    longitude: str = ""
    community: str = ""
    intent: str = "draft"
    photo: UploadFile | None = None

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    async def photo_bytes(self) -> bytes | None:
        if self.photo is None:
            return None
        return await self.photo.read(MAX_PHOTO_BYTES + 1) or None


async def _form(db_session: Any, values: dict[str, Any], *, proposal_id: int | None = None,
                errors: list[str] | None = None, status_code: int = 200) -> Template:
    """The form; each reason that names a field is also shown beside that field."""
    beside: dict[str, list[str]] = {}
    for error in errors or []:
        field = getattr(error, "field", "")
        if field:
            beside.setdefault(field, []).append(str(error))
    return Template("proposals/form.html", status_code=status_code, context={
        "values": values, "errors": errors or [], "beside": beside, "proposal_id": proposal_id,
        "choices": await form_choices(db_session)})


def _reasons(error: DomainError) -> list[str]:
    return list(getattr(error, "reasons", None) or error.extra or [error.message])


def _values(proposal: Any) -> dict[str, Any]:
    return {name: "" if getattr(proposal, name) is None else getattr(proposal, name) for name in FIELDS}


async def proposal_form_again(db_session: Any, principal: Principal, proposal_id: int, error: DomainError) -> Template:
    """The edit form of a proposal whose submission was refused, with the reasons beside its fields (422)."""
    proposal = await editable_proposal(db_session, principal, proposal_id)
    return await _form(db_session, _values(proposal), proposal_id=proposal_id, errors=_reasons(error),
                       status_code=error.status_code)


class ProposalFormPages(Controller):
    path = "/proposals"
    include_in_schema = False

    @get("/new", name="new_proposal", guards=[requires_login], media_type=MediaType.HTML)
    async def new(self, request: Request[Any, Any, Any], db_session: DBSession) -> Template:
        hood = current_principal(request).neighbourhood_id
        return await _form(db_session, {"neighbourhood_id": hood or ""})

    @post("/new", guards=[requires_login], media_type=MediaType.HTML)
    async def create(self, request: Request[Any, Any, Any], db_session: DBSession,
                     data: MultipartBody[ProposalForm]) -> Any:
        try:
            proposal = await create_proposal(db_session, current_principal(request), data.fields(),
                                             photo=await data.photo_bytes(), submit=data.intent == "submit")
        except DomainError as error:
            await db_session.rollback()
            return await _form(db_session, data.fields(), errors=_reasons(error),
                               status_code=error.status_code)
        return Redirect(f"/proposals/{proposal.id}")

    @get("/{proposal_id:int}/edit", name="edit_proposal", guards=[requires_login], media_type=MediaType.HTML)
    async def edit(self, request: Request[Any, Any, Any], db_session: DBSession, proposal_id: FromPath[int]) -> Any:
        proposal = await editable_proposal(db_session, current_principal(request), proposal_id)
        return await _form(db_session, _values(proposal), proposal_id=proposal_id)

    @post("/{proposal_id:int}/edit", guards=[requires_login], media_type=MediaType.HTML)
    async def update(self, request: Request[Any, Any, Any], db_session: DBSession, proposal_id: FromPath[int],
                     data: MultipartBody[ProposalForm]) -> Any:
        principal = current_principal(request)
        try:
            await update_proposal(db_session, principal, proposal_id, data.fields(), photo=await data.photo_bytes(),
                                  submit=data.intent == "submit")
            if data.intent == "submit":
                await act_on_proposal(db_session, principal, proposal_id, "submit")
        except DomainError as error:
            await db_session.rollback()
            if error.status_code in (403, 404):
                raise
            return await _form(db_session, data.fields(), proposal_id=proposal_id,
                               errors=_reasons(error), status_code=error.status_code)
        return Redirect(f"/proposals/{proposal_id}")
