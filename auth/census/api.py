"""JSON API: the census import (admins), a resident's own residence check, the verification desk (moderators)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import JSONBody, QueryParameter

from auth.census.desk import desk_search, record_at_desk
from auth.census.residence import check_residence, residence_of
from auth.census.schemas import CensusReport, DeskAccountPublic, DeskVerification, ResidenceCheck, ResidencePublic
from auth.census.service import decode_census, import_census, last_import
from auth.census.views import desk_public, report_public, residence_public, stored_report_public
from auth.guards import current_principal, requires_admin, requires_login, requires_moderator
from voting.database import DBSession
from voting.domain import NotFound
from voting.i18n import gettext as _

__all__ = ["CensusAPI", "ResidenceAPI", "DeskAPI", "MAX_CENSUS_BYTES"]

Req = Request[Any, Any, Any]
MAX_CENSUS_BYTES = 64 * 1024 * 1024


@dataclass
class CsvBodyOperation(Operation):
    """The import's body is the CSV file itself (Litestar reads only structured bodies into ``data``)."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(required=True, description="the census, UTF-8 CSV with a header row",
                                        content={"text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))})


class CensusAPI(Controller):
    path = "/api/v1/admin/census"
    tags = ["census"]
    guards = [requires_admin]

    @post("/", operation_id="importCensus", status_code=200, request_max_body_size=MAX_CENSUS_BYTES,
          operation_class=CsvBodyOperation)
    async def import_(self, request: Req, db_session: DBSession) -> CensusReport:
        """Replace the whole census with this CSV (``email`` or ``document_id``, ``birth_date``, ``postcode`` or
        ``neighbourhood``) and verify the accounts it matches; rejected rows are reported by line."""
        text = decode_census(await request.body())
        report = await import_census(db_session, text, actor=f"account:{current_principal(request).id}")
        return report_public(report)

    @get("/", operation_id="getCensusImport")
    async def last(self, db_session: DBSession) -> CensusReport:
        """The report of the last census import."""
        if (run := await last_import(db_session)) is None:
            raise NotFound(_("No census has been imported yet."))
        return stored_report_public(run)


class ResidenceAPI(Controller):
    path = "/api/v1/account/residence"
    tags = ["residence"]
    guards = [requires_login]

    @get("/", operation_id="getResidence")
    async def residence(self, request: Req, db_session: DBSession) -> ResidencePublic:
        """The caller's neighbourhood and age, and whether and how they were verified."""
        return residence_public(await residence_of(db_session, current_principal(request).id))

    @post("/", operation_id="checkResidence", status_code=200)
    async def check(self, request: Req, db_session: DBSession, data: JSONBody[ResidenceCheck]) -> ResidencePublic:
        """Match an identity document's number and the birth date against the census (5 tries an hour)."""
        return residence_public(await check_residence(db_session, current_principal(request).id,
                                                      document_id=data.document_id, birth_date=data.birth_date))


class DeskAPI(Controller):
    path = "/api/v1/desk"
    tags = ["desk"]
    guards = [requires_moderator]

    @get("/accounts", operation_id="searchDeskAccounts")
    async def accounts(self, request: Req, db_session: DBSession,
                       q: Annotated[str, QueryParameter(min_length=3, max_length=200)]) -> list[DeskAccountPublic]:
        """Accounts whose email or name contains ``q``, with their declared residence and birth date."""
        return [desk_public(view) for view in await desk_search(db_session, current_principal(request), q)]

    @post("/verifications", operation_id="recordDeskVerification", status_code=201)
    async def verify(self, request: Req, db_session: DBSession, data: JSONBody[DeskVerification]) -> DeskAccountPublic:
        """Record a residence and birth date checked on an identity document in person (in your neighbourhoods)."""
        view = await record_at_desk(db_session, current_principal(request), account_id=data.account_id,
                                    neighbourhood=data.neighbourhood, birth_date=data.birth_date,
                                    id_checked=data.id_checked)
        return desk_public(view)
