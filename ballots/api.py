"""JSON API of ballots: create and manage, the voter roll, votes and paper votes, receipts, turnout."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, HeaderParameter, JSONBody

from auth.guards import current_principal, requires_login, requires_moderator, requires_poll_officer
from ballots.online_vote import cast_online_vote
from ballots.receipt_check import check_receipt
from ballots.roll import import_roll
from ballots.schemas import (
    BallotCreate,
    BallotPublic,
    BallotUpdate,
    CheckpointPublic,
    PaperBatchReport,
    PaperCorrection,
    PaperVote,
    ReceiptQuery,
    ReceiptStatus,
    RollReport,
    TransitionRequest,
    Turnout,
    VoteCast,
    VoteReceipt,
)
from ballots.service import create_ballot, list_ballots, update_ballot, view_ballot, view_visible_ballot
from ballots.turnout import turnout
from ballots.views import (
    ballot_public,
    checkpoint_public,
    receipt_public,
    receipt_status,
    roll_report,
    turnout_public,
)
from ballots.vote_log import checkpoint_ballot, current_checkpoint
from ballots.voters import caller_standing
from ballots.votes import cast_paper, cast_paper_batch
from voting.database import DBSession
from voting.fields import PathId
from voting.results.service import move_ballot

__all__ = ["BallotsAPI", "ReceiptsAPI"]

IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=200)]


def _key_secret(request: Request[Any, Any, Any]) -> str | None:
    return request.app.state.settings.key_secret  # type: ignore[no-any-return]


def _choice(data: VoteCast) -> dict[str, Any]:
    return data.model_dump(exclude_none=True, exclude={"voter"})


class BallotsAPI(Controller):
    path = "/api/v1/ballots"
    tags = ["ballots"]

    @get("/", operation_id="listBallots")
    async def list_(self, request: Request[Any, Any, Any], db_session: DBSession) -> list[BallotPublic]:
        """Every ballot the caller may see (drafts only for their managers), the latest closing first."""
        return [ballot_public(await view_ballot(db_session, ballot.id or 0)) for ballot in
                await list_ballots(db_session, request.scope.get("user"))]

    @post("/", operation_id="createBallot", guards=[requires_moderator])
    async def create(self, request: Request[Any, Any, Any], db_session: DBSession,
                     data: JSONBody[BallotCreate]) -> BallotPublic:
        """A draft ballot over accepted proposals (``proposal_ids``) at their validated costs."""
        ballot = await create_ballot(db_session, current_principal(request), data)
        return ballot_public(await view_ballot(db_session, ballot.id or 0))

    @get("/{ballot_id:int}", operation_id="getBallot")
    async def get_(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: PathId) -> BallotPublic:
        """The ballot; with ``standing`` (can the caller vote, and if not why and how to fix it) when logged in.
        A draft is found only by its managers."""
        view = await view_visible_ballot(db_session, ballot_id, request.scope.get("user"))
        return ballot_public(view, await caller_standing(db_session, view, request.scope.get("user")) if
                             request.scope.get("user") else None)

    @patch("/{ballot_id:int}", operation_id="updateBallot", guards=[requires_moderator])
    async def update(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: PathId,
                     data: JSONBody[BallotUpdate]) -> BallotPublic:
        """Change a draft ballot; 409 once it has opened."""
        await update_ballot(db_session, current_principal(request), ballot_id, data)
        return ballot_public(await view_ballot(db_session, ballot_id))

    @post("/{ballot_id:int}/transitions/{target:str}", operation_id="changeBallotStatus", status_code=200,
          guards=[requires_moderator])
    async def transition(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: PathId,
                         target: FromPath[str], data: JSONBody[TransitionRequest | None] = None) -> BallotPublic:
        """``target`` is open, closed, tallied, published or cancelled (with a reason); 409 when not allowed."""
        await move_ballot(db_session, current_principal(request), ballot_id, target,
                          reason=data.reason if data else "", key_secret=_key_secret(request))
        return ballot_public(await view_ballot(db_session, ballot_id))

    @post("/{ballot_id:int}/roll", operation_id="importVoterRoll", status_code=200, guards=[requires_moderator])
    async def roll(self, request: Request[Any, Any, Any], db_session: DBSession,
                   ballot_id: PathId) -> RollReport:
        """Add or update voter roll entries from a CSV body (email or external_id, birth_date, neighbourhood)."""
        text = (await request.body()).decode("utf-8-sig", errors="replace")
        return roll_report(await import_roll(db_session, current_principal(request), ballot_id, text))

    @post("/{ballot_id:int}/votes", operation_id="castVote", status_code=201, guards=[requires_login])
    async def vote(self, request: Request[Any, Any, Any], ballot_id: PathId, data: JSONBody[VoteCast],
                   idempotency_key: IdempotencyKey = None) -> VoteReceipt:
        """Cast or replace your vote; the receipt is returned once the vote is committed."""
        cast = await cast_online_vote(request.app.state.session_maker, current_principal(request), ballot_id,
                                      _choice(data), idempotency_key)
        return receipt_public(cast)

    @post("/{ballot_id:int}/paper-votes", operation_id="castPaperVote", status_code=201,
          guards=[requires_poll_officer])
    async def paper(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: PathId,
                    data: JSONBody[PaperVote]) -> VoteReceipt:
        """A poll officer enters one paper vote for the voter named by email or external id."""
        cast = await cast_paper(db_session, current_principal(request), ballot_id, data.voter, _choice(data))
        return receipt_public(cast)

    @post("/{ballot_id:int}/paper-votes/corrections", operation_id="correctPaperVote", status_code=201,
          guards=[requires_moderator])
    async def paper_correction(self, request: Request[Any, Any, Any], db_session: DBSession, ballot_id: PathId,
                               data: JSONBody[PaperCorrection]) -> VoteReceipt:
        """A moderator replaces a mistyped paper vote before the close, giving the reason (audited)."""
        from ballots.paper_correction import correct_paper_vote

        cast = await correct_paper_vote(db_session, current_principal(request), ballot_id, data.voter,
                                        _choice(data), data.reason)
        return receipt_public(cast)

    @post("/{ballot_id:int}/paper-votes/batch", operation_id="castPaperVotes", status_code=201,
          guards=[requires_poll_officer])
    async def paper_batch(self, request: Request[Any, Any, Any], db_session: DBSession,
                          ballot_id: PathId) -> PaperBatchReport:
        """A CSV body with columns voter and projects (or points); all recorded, or a 422 listing every row."""
        text = (await request.body()).decode("utf-8-sig", errors="replace")
        casts = await cast_paper_batch(db_session, current_principal(request), ballot_id, text)
        return PaperBatchReport(ballot_id=ballot_id, recorded=len(casts), receipts=[c.receipt for c in casts])

    @get("/{ballot_id:int}/turnout", operation_id="getTurnout")
    async def turnout(self, db_session: DBSession, ballot_id: PathId) -> Turnout:
        return turnout_public(await turnout(db_session, ballot_id))

    @post("/{ballot_id:int}/checkpoints", operation_id="createCheckpoint", status_code=201,
          guards=[requires_login])
    async def checkpoint(self, request: Request[Any, Any, Any], db_session: DBSession,
                         ballot_id: PathId) -> CheckpointPublic:
        """Sequence the committed votes and sign the Merkle root of the ballot's vote log (managers, auditors)."""
        return checkpoint_public(await checkpoint_ballot(db_session, current_principal(request), ballot_id,
                                                         _key_secret(request)))

    @get("/{ballot_id:int}/checkpoints/latest", operation_id="getLatestCheckpoint")
    async def latest(self, db_session: DBSession, ballot_id: PathId) -> CheckpointPublic:
        return checkpoint_public(await current_checkpoint(db_session, ballot_id))


class ReceiptsAPI(Controller):
    path = "/api/v1/receipts"
    tags = ["ballots"]

    @get("/{code:str}", operation_id="checkReceipt")
    async def check(self, db_session: DBSession, code: FromPath[str]) -> ReceiptStatus:
        """recorded (or replaced by a later vote) while voting runs; counted once the results are published."""
        return receipt_status(await check_receipt(db_session, code))

    @post("/", operation_id="checkReceiptInBody", status_code=200)
    async def check_posted(self, db_session: DBSession, data: JSONBody[ReceiptQuery]) -> ReceiptStatus:
        """The same check with the code in the body, so that it stays out of URLs and access logs."""
        return receipt_status(await check_receipt(db_session, data.code))
