"""Proposal pages for people: the public list and search, a proposal, its photo, supports, one's own proposals."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Response, Template
from markupsafe import Markup

from auth.guards import current_principal, requires_login
from voting.comments.views import proposal_thread
from voting.database import DBSession, ReadSession
from voting.proposals.api import viewer_of
from voting.proposals.errors import ProposalInvalid
from voting.proposals.listing import list_cards
from voting.proposals.queries import PUBLIC_STATES, my_proposals
from voting.proposals.service import load_photo
from voting.proposals.supports import remove_support, support_proposal
from voting.proposals.thumbnail import THUMBNAIL_TYPE
from voting.proposals.views import form_choices, proposal_detail

__all__ = ["ProposalPages", "optional_int"]


def optional_int(value: str | None) -> int | None:
    """A filter value from the query string: blank is no filter, anything else must be a number."""
    if value is None or not value.strip():
        return None
    if not value.strip().isdigit():
        raise ProposalInvalid([value])
    return int(value)


class ProposalPages(Controller):
    path = "/proposals"
    include_in_schema = False

    @get("/", name="proposals", media_type=MediaType.HTML)
    async def index(
        self, read_session: ReadSession,
        neighbourhood: Annotated[str | None, QueryParameter(name="neighbourhood")] = None,
        category: Annotated[str | None, QueryParameter(name="category")] = None,
        status: Annotated[str | None, QueryParameter(name="status")] = None,
        q: Annotated[str | None, QueryParameter(name="q", max_length=200)] = None,
        page: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    ) -> Template:
        filters = {"neighbourhood": neighbourhood or "", "category": category or "", "status": status or "",
                   "q": q or ""}
        listing = await list_cards(read_session, neighbourhood_id=optional_int(neighbourhood),
                                   category=category or None, status=status or None, q=q, page=page)
        return Template("proposals/list.html", context={
            "listing": listing, "filters": filters, "choices": await form_choices(read_session),
            "states": PUBLIC_STATES})

    @get("/mine", name="my_proposals", guards=[requires_login], media_type=MediaType.HTML)
    async def mine(self, request: Request[Any, Any, Any], db_session: DBSession) -> Template:
        rows = await my_proposals(db_session, current_principal(request))
        return Template("proposals/mine.html", context={"rows": rows, "choices": await form_choices(db_session)})

    @get("/{proposal_id:int}", name="proposal", media_type=MediaType.HTML)
    async def show(self, request: Request[Any, Any, Any], db_session: DBSession,
                   proposal_id: FromPath[int]) -> Template:
        detail = await proposal_detail(db_session, proposal_id, viewer_of(request))
        return Template("proposals/detail.html", context={
            "detail": detail, "p": detail.row.proposal, "description": Markup(detail.description_html),  # noqa: S704
            "choices": await form_choices(db_session, include_retired=True),
            "comments": await proposal_thread(db_session, detail.row.proposal, viewer_of(request))})

    @get("/{proposal_id:int}/photo", name="proposal_photo")
    async def photo(self, request: Request[Any, Any, Any], db_session: DBSession,
                    proposal_id: FromPath[int]) -> Response[bytes]:
        photo = await load_photo(db_session, proposal_id, viewer_of(request))
        return Response(photo.content, media_type=photo.content_type, headers={
            "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=300", "ETag": f'"{photo.sha256}"'})

    @get("/{proposal_id:int}/thumbnail", name="proposal_thumbnail")
    async def thumbnail(self, request: Request[Any, Any, Any], db_session: DBSession,
                        proposal_id: FromPath[int]) -> Response[bytes]:
        """The photo's small WebP for the vote cards (the photo itself when it was stored before thumbnails)."""
        photo = await load_photo(db_session, proposal_id, viewer_of(request))
        small = photo.thumbnail is not None
        return Response(photo.thumbnail if small else photo.content,  # type: ignore[arg-type]
                        media_type=THUMBNAIL_TYPE if small else photo.content_type, headers={
            "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=300", "ETag": f'"{photo.sha256}-{"t" if small else "p"}"'})

    @post("/{proposal_id:int}/support", guards=[requires_login])
    async def support(self, request: Request[Any, Any, Any], db_session: DBSession,
                      proposal_id: FromPath[int]) -> Redirect:
        await support_proposal(db_session, current_principal(request), proposal_id)
        return Redirect(f"/proposals/{proposal_id}")

    @post("/{proposal_id:int}/unsupport", guards=[requires_login])
    async def unsupport(self, request: Request[Any, Any, Any], db_session: DBSession,
                        proposal_id: FromPath[int]) -> Redirect:
        await remove_support(db_session, current_principal(request), proposal_id)
        return Redirect(f"/proposals/{proposal_id}")
