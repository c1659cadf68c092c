"""JSON API for results: tally, publish, the stored result, the bulletin board and the signed export files."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Response, Stream

from auth.guards import current_principal, requires_login
from voting.database import DBSession, ReadSession
from voting.fields import PathId
from voting.replica import replica_first
from voting.results.bulletin import bulletin_page
from voting.results.pages import file_response
from voting.results.service import publish_ballot, stored_result, tally_ballot
from voting.results.stored_exports import export_file

__all__ = ["ResultsAPI"]

Req = Request[Any, Any, Any]
API_PAGE_SIZE = 1000


def _json(raw: bytes) -> Response[bytes]:
    return Response(raw, media_type="application/json")


class ResultsAPI(Controller):
    path = "/api/v1/ballots/{ballot_id:int}"
    tags = ["results"]

    @post("/tally", operation_id="tallyBallot", guards=[requires_login], status_code=200)
    async def tally(self, request: Req, db_session: DBSession, ballot_id: PathId) -> Response[bytes]:
        """Run the ballot's rule over its counted votes (after the close); re-running gives identical bytes."""
        stored = await tally_ballot(db_session, current_principal(request), ballot_id,
                                    request.app.state.settings.key_secret)
        return _json(stored.raw)

    @post("/publish", operation_id="publishBallot", guards=[requires_login], status_code=200)
    async def publish(self, request: Req, db_session: DBSession, ballot_id: PathId) -> dict[str, Any]:
        ballot = await publish_ballot(db_session, current_principal(request), ballot_id,
                                      request.app.state.settings.key_secret)
        return {"ballot_id": ballot.id, "status": ballot.status}

    @get("/result", operation_id="getResult")
    async def result(self, request: Req, read_session: ReadSession, ballot_id: PathId) -> Response[bytes]:
        """The canonical result document (public once published; auditors and moderators before)."""
        return _json((await stored_result(read_session, request.scope.get("user"), ballot_id)).raw)

    @get("/bulletin", operation_id="getBulletinBoard")
    async def bulletin(self, request: Req, read_session: ReadSession, ballot_id: PathId,
                       page: Annotated[int, QueryParameter(ge=1, le=10_000_000)] = 1) -> dict[str, Any]:
        """Counted votes (receipt hash, commitment, content) sorted by receipt, 1000 a page (``?page=``); the
        whole board, signed, is the ``bulletin.json`` export."""
        board = await bulletin_page(read_session, request.scope.get("user"), ballot_id, page, page_size=API_PAGE_SIZE)
        return {"ballot_id": ballot_id, "participants": board.participants, "votes": board.votes, "page": board.page,
                "pages": board.pages, "page_size": API_PAGE_SIZE,
                "board": [{"receipt_hash": r, "commitment": c, "content": content} for r, c, content in board.rows]}

    @get("/exports/{name:str}", operation_id="getExportFile")
    async def export_file(self, request: Req, read_session: ReadSession, db_session: DBSession, ballot_id: PathId,
                          name: FromPath[str]) -> Response[bytes] | Stream:
        """result.json, result.csv, election.pb, bulletin.json, bulletin.csv, their .sig files, keys.json."""
        file = await replica_first(read_session, db_session, lambda session: export_file(
            session, request.scope.get("user"), ballot_id, name, request.app.state.settings.key_secret))
        return file_response(request, file)
