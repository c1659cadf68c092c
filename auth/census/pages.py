"""Pages: the census import for admins (/admin/census) and a resident's own residence (/account/residence)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import MultipartBody, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel, ConfigDict

from auth.census.api import MAX_CENSUS_BYTES
from auth.census.residence import check_residence, residence_of
from auth.census.service import (
    CENSUS_COLUMNS,
    CensusFileError,
    census_size,
    decode_census,
    import_census,
    key_changed_since,
    last_import,
)
from auth.guards import current_principal, requires_admin, requires_login
from voting.database import DBSession
from voting.domain import DomainError
from voting.i18n import gettext as _

__all__ = ["CensusPages", "ResidencePages"]

Req = Request[Any, Any, Any]


class CensusUpload(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    census: UploadFile | None = None


class ResidenceForm(BaseModel):
    document_id: str = ""
    birth_date: str = ""


async def _census_page(db_session: Any, *, error: str | None = None, rejected: Any = None, done: bool = False,
                       status_code: int = 200) -> Template:
    run = await last_import(db_session)
    return Template("census/admin.html", status_code=status_code, context={
        "run": run, "size": await census_size(db_session), "key_changed": run is not None and key_changed_since(run),
        "columns": CENSUS_COLUMNS, "error": error, "rejected": rejected or [], "done": done})


class CensusPages(Controller):
    path = "/admin/census"
    guards = [requires_admin]
    include_in_schema = False

    @get("/", name="census_admin")
    async def page(self, db_session: DBSession, done: Annotated[str | None, QueryParameter()] = None) -> Template:
        return await _census_page(db_session, done=bool(done))

    @post("/", media_type=MediaType.HTML, request_max_body_size=MAX_CENSUS_BYTES)
    async def upload(self, request: Req, db_session: DBSession, data: MultipartBody[CensusUpload]) -> Any:
        try:
            if data.census is None or not data.census.filename:
                raise CensusFileError(_("Choose the census CSV file to import."))
            text = decode_census(await data.census.read())
            await import_census(db_session, text, actor=f"account:{current_principal(request).id}")
        except CensusFileError as error:
            await db_session.rollback()
            rejected = error.extra.get("rejected") if isinstance(error.extra, dict) else None
            return await _census_page(db_session, error=error.message, rejected=rejected, status_code=400)
        return Redirect("/admin/census?done=1")


class ResidencePages(Controller):
    path = "/account/residence"
    guards = [requires_login]
    include_in_schema = False

    @get("/", name="residence")
    async def page(self, request: Req, db_session: DBSession,
                   done: Annotated[str | None, QueryParameter()] = None) -> Template:
        residence = await residence_of(db_session, current_principal(request).id)
        return Template("census/residence.html", context={"residence": residence, "done": bool(done)})

    @post("/", media_type=MediaType.HTML)
    async def check(self, request: Req, db_session: DBSession, data: URLEncodedBody[ResidenceForm]) -> Any:
        account_id = current_principal(request).id
        try:
            await check_residence(db_session, account_id, document_id=data.document_id, birth_date=data.birth_date)
        except DomainError as error:  # a refused try stays recorded: it counts against the throttle
            return Template("census/residence.html", status_code=error.status_code, context={
                "residence": await residence_of(db_session, account_id), "error": error.message,
                "birth_date": data.birth_date})
        return Redirect("/account/residence?done=1")
