"""Result pages: the results with their chart, downloads of the signed exports, the bulletin board, and the
moderator's tally and publish buttons."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Response, Template

from auth.guards import current_principal, requires_login
from ballots.receipts import normalise_code, receipt_hash
from ballots.turnout import turnout
from voting.database import DBSession
from voting.domain import NotFound
from voting.i18n import gettext as _
from voting.results.exports import bulletin_csv
from voting.results.service import (
    ballot_projects,
    bulletin_rows,
    export_files,
    publish_ballot,
    stored_result,
    tally_ballot,
)
from voting.results.views import result_view
from voting.web.templating import money

__all__ = ["ResultPages", "CONTENT_TYPES"]

Req = Request[Any, Any, Any]
CONTENT_TYPES = {".json": "application/json", ".csv": "text/csv; charset=utf-8", ".pb": "text/plain; charset=utf-8",
                 ".sig": "application/json"}


def _key_secret(request: Req) -> str | None:
    return request.app.state.settings.key_secret  # type: ignore[no-any-return]


class ResultPages(Controller):
    path = "/ballots/{ballot_id:int}"
    include_in_schema = False

    @get("/results", name="results")
    async def results(self, request: Req, db_session: DBSession, ballot_id: FromPath[int]) -> Template:
        stored = await stored_result(db_session, request.scope.get("user"), ballot_id)
        view = result_view(stored.document, money, _("Votes per project"))
        figures = await turnout(db_session, ballot_id)
        return Template("results/results.html", context={"stored": stored, "view": view, "turnout": figures})

    @get("/exports/{name:str}", name="export-file")
    async def export_file(self, request: Req, db_session: DBSession, ballot_id: FromPath[int],
                          name: FromPath[str]) -> Response[bytes]:
        files = await export_files(db_session, request.scope.get("user"), ballot_id, _key_secret(request))
        if name not in files:
            raise NotFound(_("No export file named {name}.").format(name=name))
        suffix = "." + name.rsplit(".", 1)[-1]
        return Response(files[name], media_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
                        headers={"Content-Disposition": f'attachment; filename="ballot-{ballot_id}-{name}"',
                                 "X-Content-Type-Options": "nosniff"})

    @get("/bulletin", name="bulletin")
    async def bulletin(self, db_session: DBSession, ballot_id: FromPath[int],
                       receipt: Annotated[str, QueryParameter(max_length=80)] = "") -> Template:
        ballot, rows, participants = await bulletin_rows(db_session, ballot_id)
        wanted = receipt_hash(receipt) if normalise_code(receipt) else ""
        found = next((row for row in rows if row[0] == wanted), None)
        names = {project.id: project.name for project in await ballot_projects(db_session, ballot_id)}
        return Template("results/bulletin.html", context={"ballot": ballot, "rows": rows, "participants": participants,
                                                          "receipt": receipt, "found": found, "wanted": wanted,
                                                          "names": names})

    @get("/bulletin.csv", name="bulletin-csv")
    async def bulletin_download(self, db_session: DBSession, ballot_id: FromPath[int]) -> Response[bytes]:
        """Every counted vote as CSV, from the close on (before any tally)."""
        _, rows, _ = await bulletin_rows(db_session, ballot_id)
        return Response(bulletin_csv(rows).encode(), media_type=CONTENT_TYPES[".csv"],
                        headers={"Content-Disposition": f'attachment; filename="ballot-{ballot_id}-bulletin.csv"'})

    @post("/tally", guards=[requires_login], media_type=MediaType.HTML)
    async def tally(self, request: Req, db_session: DBSession, ballot_id: FromPath[int]) -> Redirect:
        await tally_ballot(db_session, current_principal(request), ballot_id, _key_secret(request))
        return Redirect(f"/ballots/{ballot_id}/results")

    @post("/publish", guards=[requires_login], media_type=MediaType.HTML)
    async def publish(self, request: Req, db_session: DBSession, ballot_id: FromPath[int]) -> Redirect:
        await publish_ballot(db_session, current_principal(request), ballot_id)
        return Redirect(f"/ballots/{ballot_id}/results")
