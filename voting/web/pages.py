"""Public pages of the shell: home, language switch and health."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.datastructures import Cookie
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Response, Template
from sqlalchemy import text

from voting.city import home_calendar, home_overview
from voting.database import ReadSession
from voting.errors import RETRY_AFTER_SECONDS
from voting.i18n import LANGUAGES

__all__ = ["HomePages", "health", "safe_next"]


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login or a language switch."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


class HomePages(Controller):
    include_in_schema = False

    @get("/", name="home")
    async def home(self, request: Request[Any, Any, Any], read_session: ReadSession) -> Template:
        overview = await home_overview(read_session)
        return Template("home.html", context={"overview": overview, **await home_calendar(read_session,
                                                                                          request.scope.get("user"))})

    @get("/lang/{code:str}", name="language")
    async def language(
        self, code: FromPath[str], next_: Annotated[str | None, QueryParameter(name="next")] = None
    ) -> Redirect:
        target = safe_next(next_)
        if code not in LANGUAGES:
            return Redirect(target)
        return Redirect(target, cookies=[Cookie(key="lang", value=code, max_age=365 * 86400, samesite="lax",
                                                path="/")])


@get("/health", operation_id="health", tags=["system"], name="health")
async def health(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    """200 with the database status when PostgreSQL answers, 503 otherwise."""
    try:
        async with request.app.state.session_maker() as session:
            await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    except Exception as error:  # any failure to reach the database is a 503, not a 500
        return Response({"status": "unavailable", "database": type(error).__name__}, status_code=503,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return Response({"status": "ok", "database": "ok"})
