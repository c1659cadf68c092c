"""JSON API of proposals under ``/api/v1/proposals`` and of ballot shortlists, over the proposal services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.params import JSONBody, MultipartBody, QueryParameter

from auth.guards import current_principal, requires_login
from auth.principal import Principal
from voting.database import DBSession, ReadSession
from voting.fields import INTEGER_MAX, PathId
from voting.proposals.photo import MAX_PHOTO_BYTES
from voting.proposals.queries import (
    MAX_PAGE,
    ProposalRow,
    list_proposals,
    my_proposals,
    proposal_history,
    proposal_row,
    review_queue,
)
from voting.proposals.schemas import (
    HistoryEntry,
    ProposalCreate,
    ProposalPage,
    ProposalPublic,
    ProposalUpdate,
    ShortlistEntry,
    ShortlistPublic,
    ShortlistRequest,
    SupportPublic,
    TransitionRequest,
)
from voting.proposals.service import act_on_proposal, create_proposal, load_visible, set_photo, update_proposal
from voting.proposals.shortlist import current_shortlist, load_ballot_for_shortlist, shortlist_ballot
from voting.proposals.supports import remove_support, support_proposal

__all__ = ["ProposalAPI", "ShortlistAPI", "proposal_public", "viewer_of"]


def viewer_of(request: Request[Any, Any, Any]) -> Principal | None:
    user = request.scope.get("user")
    return user if isinstance(user, Principal) else None


def proposal_public(row: ProposalRow) -> ProposalPublic:
    p = row.proposal
    return ProposalPublic(
        id=p.id or 0, title=p.title, summary=p.summary, description=p.description, category=p.category,
        neighbourhood_id=p.neighbourhood_id, estimated_cost=p.estimated_cost, validated_cost=p.validated_cost,
        feasibility_note=p.feasibility_note, moderator_message=p.moderator_message, address=p.address,
        latitude=p.latitude, longitude=p.longitude, community=p.community, proposer_name=row.proposer_name,
        status=p.status, created_at=p.created_at, submitted_at=p.submitted_at, reviewed_at=p.reviewed_at,
        supports=row.supports, photo_url=f"/proposals/{p.id}/photo" if row.has_photo else None,
    )


@dataclass
class PhotoUpload:
    photo: UploadFile


class ProposalAPI(Controller):
    path = "/api/v1/proposals"
    tags = ["proposals"]

    @get("/", operation_id="listProposals")
    async def index(
        self, read_session: ReadSession,
        neighbourhood_id: Annotated[int | None, QueryParameter(name="neighbourhood_id", ge=1, le=INTEGER_MAX)] = None,
        category: Annotated[str | None, QueryParameter(name="category")] = None,
        status: Annotated[str | None, QueryParameter(name="status")] = None,
        q: Annotated[str | None, QueryParameter(name="q", max_length=200)] = None,
        page: Annotated[int, QueryParameter(name="page", ge=1, le=MAX_PAGE)] = 1,
        per_page: Annotated[int, QueryParameter(name="per_page", ge=1, le=100)] = 20,
    ) -> ProposalPage:
        """Public proposals (never drafts), filtered, searched in French and English, newest or best match first."""
        listing = await list_proposals(read_session, neighbourhood_id=neighbourhood_id, category=category,
                                       status=status, q=q, page=page, per_page=per_page)
        return ProposalPage(items=[proposal_public(r) for r in listing.rows], total=listing.total,
                            page=listing.page, per_page=listing.per_page)

    @post("/", operation_id="createProposal", guards=[requires_login])
    async def create(self, request: Request[Any, Any, Any], db_session: DBSession,
                     data: JSONBody[ProposalCreate]) -> ProposalPublic:
        """Write a proposal as a draft, or submit it at once with ``submit: true``."""
        proposal = await create_proposal(db_session, current_principal(request), data.model_dump(exclude={"submit"}),
                                         submit=data.submit)
        return proposal_public(await proposal_row(db_session, proposal))

    @get("/mine", operation_id="listMyProposals", guards=[requires_login])
    async def mine(self, request: Request[Any, Any, Any], db_session: DBSession) -> list[ProposalPublic]:
        """The caller's own proposals in every state, with the moderator's latest message."""
        return [proposal_public(r) for r in await my_proposals(db_session, current_principal(request))]

    @get("/queue", operation_id="listReviewQueue", guards=[requires_login])
    async def queue(self, request: Request[Any, Any, Any], db_session: DBSession) -> list[ProposalPublic]:
        """Proposals waiting for review in the caller's neighbourhoods, oldest first (moderators)."""
        return [proposal_public(r) for r in await review_queue(db_session, current_principal(request))]

    @get("/{proposal_id:int}", operation_id="getProposal")
    async def show(self, request: Request[Any, Any, Any], db_session: DBSession,
                   proposal_id: PathId) -> ProposalPublic:
        proposal = await load_visible(db_session, proposal_id, viewer_of(request))
        return proposal_public(await proposal_row(db_session, proposal))

    @put("/{proposal_id:int}", operation_id="updateProposal", guards=[requires_login])
    async def update(self, request: Request[Any, Any, Any], db_session: DBSession, proposal_id: PathId,
                     data: JSONBody[ProposalUpdate]) -> ProposalPublic:
        """Replace the fields of a draft or of a proposal sent back for changes (proposer only)."""
        proposal = await update_proposal(db_session, current_principal(request), proposal_id, data.model_dump())
        return proposal_public(await proposal_row(db_session, proposal))

    @put("/{proposal_id:int}/photo", operation_id="setProposalPhoto", guards=[requires_login])
    async def photo(self, request: Request[Any, Any, Any], db_session: DBSession, proposal_id: PathId,
                    data: MultipartBody[PhotoUpload]) -> ProposalPublic:
        """Attach or replace the photo (multipart field ``photo``: JPEG, PNG or WebP up to 5 MB)."""
        content = await data.photo.read(MAX_PHOTO_BYTES + 1)
        await set_photo(db_session, current_principal(request), proposal_id, content)
        proposal = await load_visible(db_session, proposal_id, current_principal(request))
        return proposal_public(await proposal_row(db_session, proposal))

    @post("/{proposal_id:int}/transitions", operation_id="transitionProposal", guards=[requires_login],
          status_code=200)
    async def transition(self, request: Request[Any, Any, Any], db_session: DBSession, proposal_id: PathId,
                         data: JSONBody[TransitionRequest]) -> ProposalPublic:
        """Submit, withdraw (proposer), or accept, reject, request changes (moderator of the neighbourhood)."""
        proposal = await act_on_proposal(db_session, current_principal(request), proposal_id, data.action,
                                         message=data.message, validated_cost=data.validated_cost)
        return proposal_public(await proposal_row(db_session, proposal))

    @get("/{proposal_id:int}/history", operation_id="getProposalHistory")
    async def history(self, request: Request[Any, Any, Any], db_session: DBSession,
                      proposal_id: PathId) -> list[HistoryEntry]:
        """Every recorded step of the proposal, with the moderator's messages."""
        await load_visible(db_session, proposal_id, viewer_of(request))
        return [HistoryEntry(at=h.at, action=h.action, message=h.message)
                for h in await proposal_history(db_session, proposal_id)]

    @put("/{proposal_id:int}/support", operation_id="supportProposal", guards=[requires_login])
    async def support(self, request: Request[Any, Any, Any], db_session: DBSession,
                      proposal_id: PathId) -> SupportPublic:
        """Support an accepted proposal (once per citizen; again changes nothing)."""
        count, mine = await support_proposal(db_session, current_principal(request), proposal_id)
        return SupportPublic(proposal_id=proposal_id, supports=count, supported=mine)

    @delete("/{proposal_id:int}/support", operation_id="removeProposalSupport", guards=[requires_login],
            status_code=200)
    async def unsupport(self, request: Request[Any, Any, Any], db_session: DBSession,
                        proposal_id: PathId) -> SupportPublic:
        count, mine = await remove_support(db_session, current_principal(request), proposal_id)
        return SupportPublic(proposal_id=proposal_id, supports=count, supported=mine)


async def shortlist_public(db_session: Any, ballot_id: int) -> ShortlistPublic:
    return ShortlistPublic(ballot_id=ballot_id, entries=[
        ShortlistEntry(proposal_id=entry.proposal_id, title=row.proposal.title, cost=entry.cost,
                       position=entry.position, supports=row.supports)
        for entry, row in await current_shortlist(db_session, ballot_id)
    ])


class ShortlistAPI(Controller):
    path = "/api/v1/ballots/{ballot_id:int}/shortlist"
    tags = ["proposals", "ballots"]

    @get("/", operation_id="getBallotShortlist", guards=[requires_login])
    async def show(self, request: Request[Any, Any, Any], db_session: DBSession,
                   ballot_id: PathId) -> ShortlistPublic:
        await load_ballot_for_shortlist(db_session, ballot_id, current_principal(request))
        return await shortlist_public(db_session, ballot_id)

    @put("/", operation_id="setBallotShortlist", guards=[requires_login])
    async def replace(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: PathId,
                      data: JSONBody[ShortlistRequest]) -> ShortlistPublic:
        """Replace a draft ballot's proposals: ``manual`` (proposal_ids), ``top`` (n) or ``min_supports`` (k)."""
        await shortlist_ballot(db_session, current_principal(request), ballot_id, data.mode,
                               proposal_ids=data.proposal_ids, n=data.n, k=data.k)
        return await shortlist_public(db_session, ballot_id)
