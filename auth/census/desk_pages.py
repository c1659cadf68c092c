"""The verification desk's pages (/desk): find an account, check an ID in person, record the residence."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import BaseModel

from auth.census.desk import MIN_QUERY, desk_account, desk_neighbourhoods, desk_search, record_at_desk
from auth.guards import current_principal, requires_moderator
from voting.database import DBSession
from voting.domain import DomainError

__all__ = ["DeskPages"]

Req = Request[Any, Any, Any]


class DeskForm(BaseModel):
    neighbourhood: str = ""
    birth_date: str = ""
    id_checked: str = ""


async def _account_page(request: Req, db_session: Any, account_id: uuid.UUID, *, form: DeskForm | None = None,
                        error: str | None = None, done: bool = False, status_code: int = 200) -> Template:
    principal = current_principal(request)
    return Template("desk/account.html", status_code=status_code, context={
        "person": await desk_account(db_session, principal, account_id),
        "hoods": await desk_neighbourhoods(db_session, principal), "form": form, "error": error, "done": done})


class DeskPages(Controller):
    path = "/desk"
    guards = [requires_moderator]
    include_in_schema = False

    @get("/", name="desk")
    async def search(self, request: Req, db_session: DBSession,
                     q: Annotated[str, QueryParameter(max_length=200)] = "") -> Template:
        accounts = await desk_search(db_session, current_principal(request), q)
        return Template("desk/search.html", context={"q": q, "accounts": accounts, "min_query": MIN_QUERY})

    @get("/accounts/{account_id:uuid}")
    async def account(self, request: Req, db_session: DBSession, account_id: FromPath[uuid.UUID],
                      done: Annotated[str | None, QueryParameter()] = None) -> Template:
        return await _account_page(request, db_session, account_id, done=bool(done))

    @post("/accounts/{account_id:uuid}", media_type=MediaType.HTML)
    async def record(self, request: Req, db_session: DBSession, account_id: FromPath[uuid.UUID],
                     data: URLEncodedBody[DeskForm]) -> Any:
        try:
            await record_at_desk(db_session, current_principal(request), account_id=account_id,
                                 neighbourhood=data.neighbourhood, birth_date=data.birth_date,
                                 id_checked=data.id_checked == "on")
        except DomainError as error:
            if error.status_code == 404:
                raise
            return await _account_page(request, db_session, account_id, form=data, error=error.message,
                                       status_code=error.status_code)
        return Redirect(f"/desk/accounts/{account_id}?done=1")
