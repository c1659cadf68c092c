"""JSON API for results: tally, publish, the stored result, the bulletin board and the signed export files."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Response

from auth.guards import current_principal, requires_login
from voting.database import DBSession
from voting.domain import NotFound
from voting.fields import PathId
from voting.i18n import gettext as _
from voting.results.pages import CONTENT_TYPES
from voting.results.service import bulletin_rows, export_files, publish_ballot, stored_result, tally_ballot

__all__ = ["ResultsAPI"]

Req = Request[Any, Any, Any]


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
        ballot = await publish_ballot(db_session, current_principal(request), ballot_id)
        return {"ballot_id": ballot.id, "status": ballot.status}

    @get("/result", operation_id="getResult")
    async def result(self, request: Req, db_session: DBSession, ballot_id: PathId) -> Response[bytes]:
        """The canonical result document (public once published; auditors and moderators before)."""
        return _json((await stored_result(db_session, request.scope.get("user"), ballot_id)).raw)

    @get("/bulletin", operation_id="getBulletinBoard")
    async def bulletin(self, db_session: DBSession, ballot_id: PathId) -> dict[str, Any]:
        """Every counted vote (receipt hash, commitment, content) sorted by receipt, after the close."""
        _, rows, participants = await bulletin_rows(db_session, ballot_id)
        return {"ballot_id": ballot_id, "participants": participants, "votes": len(rows),
                "board": [{"receipt_hash": r, "commitment": c, "content": content} for r, c, content in rows]}

    @get("/exports/{name:str}", operation_id="getExportFile")
    async def export_file(self, request: Req, db_session: DBSession, ballot_id: PathId,
                          name: FromPath[str]) -> Response[bytes]:
        """result.json, result.csv, election.pb, bulletin.json, bulletin.csv, their .sig files, keys.json."""
        files = await export_files(db_session, request.scope.get("user"), ballot_id,
                                   request.app.state.settings.key_secret)
        if name not in files:
            raise NotFound(_("No export file named {name}.").format(name=name))
        return Response(files[name], media_type=CONTENT_TYPES.get("." + name.rsplit(".", 1)[-1],
                                                                   "application/octet-stream"))


