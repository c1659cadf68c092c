"""Result pages: the results with their chart, downloads of the signed exports, the bulletin board, and the
moderator's tally and publish buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Response, Stream, Template

from auth.guards import current_principal, requires_login
from voting.database import DBSession, ReadSession
from voting.i18n import gettext as _
from voting.replica import replica_first
from voting.results.bulletin import bulletin_csv_file, bulletin_page
from voting.results.bundle import bundle_name, signed_set_zip
from voting.results.cache import result_views
from voting.results.comparison import rules_compared
from voting.results.result_page import in_currency, page_key, result_page
from voting.results.service import publish_ballot, tally_ballot
from voting.results.stored_exports import ExportFile, export_file, signed_exports
from voting.web.templating import money

__all__ = ["ResultPages", "CONTENT_TYPES", "file_response", "rendered_once"]

Req = Request[Any, Any, Any]
CHUNK = 256 * 1024
CONTENT_TYPES = {".json": "application/json", ".csv": "text/csv; charset=utf-8", ".pb": "text/plain; charset=utf-8",
                 ".sig": "application/json"}


def _key_secret(request: Req) -> str | None:
    return request.app.state.settings.key_secret  # type: ignore[no-any-return]


def file_response(request: Req, file: ExportFile,
                  headers: dict[str, str] | None = None) -> Response[bytes] | Stream:
    """A stored export with its SHA-256 as ETag: a client that has it gets 304 and no body."""
    etag = f'"{file.sha256}"'
    common = {"ETag": etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", **(headers or {})}
    if etag in request.headers.get("if-none-match", "").replace("W/", "").split(", "):
        return Response(b"", status_code=304, headers=common)
    suffix = "." + file.name.rsplit(".", 1)[-1]
    media_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
    if len(file.content) <= CHUNK:
        return Response(file.content, media_type=media_type, headers=common)
    # A large file goes out a chunk at a time, each written when the client has taken the last: one big write
    # would sit in the server's buffer and be moved down on every send, and the worker's other requests wait.
    return Stream(_chunks(file.content), media_type=media_type,
                  headers={**common, "Content-Length": str(len(file.content))})


async def _chunks(content: bytes) -> AsyncIterator[bytes]:
    view = memoryview(content)
    for start in range(0, len(content), CHUNK):
        yield bytes(view[start:start + CHUNK])


def rendered_once(request: Req, key: tuple[Any, ...] | None, template: Template) -> Template | Response[str]:
    """An anonymous visitor's page rendered once per ``key`` (what it depends on) and kept in this worker; a
    logged-in viewer's (their name, their CSRF token), an unkept one (``key`` None) or one read from a replica far
    enough behind to say so (the note is this moment's) is rendered each time."""
    if key is None or request.scope.get("user") is not None or request.state.get("replica_lag"):
        return template
    html = result_views.get(key)
    if html is None:
        engine: Any = request.app.template_engine
        html = result_views.put(key, engine.get_template(template.template_name).render(
            **template.create_template_context(request)))
    return Response(html, media_type=MediaType.HTML)


class ResultPages(Controller):
    path = "/ballots/{ballot_id:int}"
    include_in_schema = False

    @get("/results", name="results")
    async def results(self, request: Req, read_session: ReadSession,
                      ballot_id: FromPath[int]) -> Template | Response[str]:
        page = await result_page(read_session, request.scope.get("user"), ballot_id, money, _("Votes per project"))
        compared = await rules_compared(read_session, page, in_currency(money, page.stored.document),
                                        _("other voters"))
        return rendered_once(request, page_key(page, request.url.path), Template("results/results.html", context={
            "stored": page.stored, "view": page.view, "turnout": page.turnout, "compared": compared}))

    @get("/exports/{name:str}", name="export-file")
    async def export_file(self, request: Req, read_session: ReadSession, db_session: DBSession,
                          ballot_id: FromPath[int], name: FromPath[str]) -> Response[bytes] | Stream:
        file = await replica_first(read_session, db_session, lambda session: export_file(
            session, request.scope.get("user"), ballot_id, name, _key_secret(request)))
        # saved under its own name: a folder of downloads is what ``greenballot verify`` reads
        return file_response(request, file, {"Content-Disposition": f'attachment; filename="{file.name}"'})

    @get("/exports.zip", name="export-zip")
    async def export_zip(self, request: Req, read_session: ReadSession, db_session: DBSession,
                         ballot_id: FromPath[int]) -> Response[bytes]:
        """The whole signed set in one zip, in a folder ``greenballot verify`` checks once unzipped."""
        files = await replica_first(read_session, db_session, lambda session: signed_exports(
            session, request.scope.get("user"), ballot_id, _key_secret(request)))
        folder = bundle_name(ballot_id)
        return Response(signed_set_zip(folder, files), media_type="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{folder}.zip"', "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff"})

    @get("/bulletin", name="bulletin")
    async def bulletin(self, request: Req, read_session: ReadSession, ballot_id: FromPath[int],
                       receipt: Annotated[str, QueryParameter(max_length=80)] = "",
                       page: Annotated[int | None, QueryParameter(ge=1, le=10_000_000)] = None) -> Template:
        board = await bulletin_page(read_session, request.scope.get("user"), ballot_id, page, receipt)
        return Template("results/bulletin.html", context={"board": board, "ballot": board.ballot, "rows": board.rows,
                                                          "participants": board.participants, "receipt": receipt,
                                                          "found": board.found, "wanted": board.wanted,
                                                          "names": board.names})

    @get("/bulletin.csv", name="bulletin-csv")
    async def bulletin_download(self, request: Req, read_session: ReadSession, db_session: DBSession,
                                ballot_id: FromPath[int]) -> Response[bytes]:
        """Every counted vote as CSV: from the close for those who may see the result, for everyone once published."""
        content = await replica_first(read_session, db_session, lambda session: bulletin_csv_file(
            session, request.scope.get("user"), ballot_id, _key_secret(request)))
        return Response(content, media_type=CONTENT_TYPES[".csv"],
                        headers={"Content-Disposition": f'attachment; filename="ballot-{ballot_id}-bulletin.csv"'})

    @post("/tally", guards=[requires_login], media_type=MediaType.HTML)
    async def tally(self, request: Req, db_session: DBSession, ballot_id: FromPath[int]) -> Redirect:
        await tally_ballot(db_session, current_principal(request), ballot_id, _key_secret(request))
        return Redirect(f"/ballots/{ballot_id}/results")

    @post("/publish", guards=[requires_login], media_type=MediaType.HTML)
    async def publish(self, request: Req, db_session: DBSession, ballot_id: FromPath[int]) -> Redirect:
        await publish_ballot(db_session, current_principal(request), ballot_id, _key_secret(request))
        return Redirect(f"/ballots/{ballot_id}/results")
