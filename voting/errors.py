"""Turning errors into clean 4xx/5xx answers: JSON under /api, HTML pages elsewhere, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from asyncpg.exceptions import ConnectionDoesNotExistError, OperatorInterventionError, PostgresConnectionError
from asyncpg.exceptions import DataError as PostgresDataError
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, SerializationException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_409_CONFLICT,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from voting.domain import DomainError
from voting.i18n import choose_language, use_language
from voting.i18n import gettext as _
from voting.validation_messages import headline, translated_extra

__all__ = ["DomainError", "exception_handlers", "wants_json", "unreachable_database", "RETRY_AFTER_SECONDS"]

log = logging.getLogger("greenballot")


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/schema", "/health")) or path == "/api"


def _answer(request: Request, status: int, detail: str, extra: Any = None,
            headers: dict[str, str] | None = None) -> Response:
    use_language(choose_language(request.cookies.get("lang"), request.headers.get("accept-language")))
    if wants_json(request):
        body: dict[str, Any] = {"status_code": status, "detail": detail}
        if extra:
            body["extra"] = extra
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    return Template("error.html", context={"status": status, "detail": detail, "extra": extra},
                    status_code=status, headers=headers)


_STOCK_DETAILS = {
    "Not Found": lambda: _("There is no page at this address."),
    "Method Not Allowed": lambda: _("This address does not accept this kind of request."),
    "Forbidden": lambda: _("You are not allowed to do this."),
    "Bad Request": lambda: _("The request cannot be read."),
}
_MULTIPART_ERRORS = ("Invalid multipart/form-data", "Unexpected eof in multipart/form-data")


def _http(request: Request, error: HTTPException) -> Response:
    if isinstance(error, NotAuthorizedException) and not wants_json(request):
        return Redirect(f"/login?next={request.url.path}")  # type: ignore[return-value]
    extra = error.extra if isinstance(error, ValidationException) else None
    use_language(choose_language(request.cookies.get("lang"), request.headers.get("accept-language")))
    headers = dict(error.headers or {})
    detail = error.detail
    if isinstance(error, ValidationException) and str(detail).startswith("Validation failed for "):
        detail, extra = headline(request.method, request.url.path), translated_extra(extra)
    elif isinstance(error.__cause__, SerializationException):  # msgspec's words alone ("Input data was truncated")
        detail = _("The request body is not valid JSON ({reason}).").format(reason=error.detail)
    elif detail in _MULTIPART_ERRORS:  # litestar's multipart parser: a cut body, a CR/LF in a file name...
        detail = _("The uploaded form cannot be read: the request is malformed (for example a file name holding a "
                   "line break).")
    elif detail == "Request Entity Too Large" and error.status_code == HTTP_400_BAD_REQUEST:  # the same parser
        detail = _("The uploaded form cannot be read: one of its parts or part headers (a file name) is too long, "
                   "or it has too many parts.")
    elif detail in _STOCK_DETAILS:  # litestar's own English words for a status (an unknown address...)
        detail = _STOCK_DETAILS[detail]()
    return _answer(request, error.status_code, detail, extra, headers or None)


def _domain(request: Request, error: DomainError) -> Response:
    headers = {"Retry-After": str(error.extra["retry_after"])} if isinstance(error.extra, dict) and \
        "retry_after" in error.extra else None
    return _answer(request, error.status_code, error.message, error.extra, headers)


def _integrity(request: Request, error: IntegrityError) -> Response:
    log.info("integrity error: %s", error.orig)
    return _answer(request, HTTP_409_CONFLICT, _("This conflicts with something already recorded."))


def _data_message(sqlstate: str) -> str:
    if sqlstate in ("22021", "22P05"):  # character_not_in_repertoire, untranslatable_character
        return _("Text cannot contain the NUL character (U+0000).")
    if sqlstate in ("22000", "22003"):  # asyncpg's own range check of a parameter, numeric_value_out_of_range
        return _("A number in the request is out of range.")
    if sqlstate == "22001":  # string_data_right_truncation
        return _("A text in the request is too long.")
    return _("A value in the request is not valid.")


RETRY_AFTER_SECONDS = 5


def unreachable_database(error: BaseException) -> bool:
    """Whether a database error means "PostgreSQL cannot answer now" (down, restarting, unreachable, a statement
    or a wait for a connection timed out) rather than a refusal of this request's data."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo and len(seen) < 8:  # the error, what SQLAlchemy or its driver adapter wrapped, and their causes
        current = todo.pop()
        if current is None or any(current is known for known in seen):
            continue
        seen.append(current)
        if getattr(current, "connection_invalidated", False):
            return True
        if str(getattr(current, "sqlstate", None) or "").startswith(("08", "53", "57")):  # connection; resources
            # (too many connections, out of memory or disk); shutdown, timeout
            return True
        if isinstance(current, (ConnectionError, TimeoutError, PostgresConnectionError, OperatorInterventionError,
                                PoolTimeout, ConnectionDoesNotExistError)):
            return True
        if isinstance(current, OSError) and _raised_by_the_driver(current):  # e.g. its unix socket is gone
            return True
        todo += [getattr(current, "orig", None), current.__cause__, current.__context__]
    return False


def _raised_by_the_driver(error: BaseException) -> bool:
    trace = error.__traceback__
    while trace is not None:
        if "asyncpg" in trace.tb_frame.f_code.co_filename:
            return True
        trace = trace.tb_next
    return False


def _unavailable(request: Request, error: Exception) -> Response:
    """503 with Retry-After: the database cannot answer for a moment; the client may try again (a vote's
    idempotency key makes that safe)."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(error).__name__)
    return _answer(request, HTTP_503_SERVICE_UNAVAILABLE,
                   _("The service is unavailable for a moment: try again in a few seconds."),
                   headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


CONCURRENT_STATES = ("40P01", "40001")  # deadlock detected; serialization failure


def concurrent_change(error: BaseException) -> bool:
    """Whether PostgreSQL refused the request because another transaction changed the same rows at the same
    moment (a deadlock it broke, or a serialization failure): nothing was written, and trying again will do."""
    for current in (error, getattr(error, "orig", None), error.__cause__):
        if str(getattr(current, "sqlstate", None) or "") in CONCURRENT_STATES:
            return True
    return False


def _concurrent(request: Request, error: Exception) -> Response:
    log.warning("concurrent change on %s %s: %s", request.method, request.url.path, type(error).__name__)
    return _answer(request, HTTP_409_CONFLICT, _("Someone changed this at the same moment: try again."),
                   headers={"Retry-After": "1"})


def _refused_data(request: Request, error: Exception) -> Response:
    """PostgreSQL's class 22 (data exception): a value it cannot store or compare, so bad input, never a 500.

    The request's transaction is rolled back as for any error, so nothing is half-written. A database that
    cannot answer is a 503.
    """
    if unreachable_database(error):
        return _unavailable(request, error)
    if concurrent_change(error):
        return _concurrent(request, error)
    driver_error = getattr(error, "orig", error)
    sqlstate = str(getattr(driver_error, "sqlstate", None) or "")
    if not sqlstate.startswith("22"):
        return _unexpected(request, error)
    log.warning("refused data on %s %s: %s", request.method, request.url.path, driver_error)
    return _answer(request, HTTP_400_BAD_REQUEST, _data_message(sqlstate))


def _unexpected(request: Request, error: Exception) -> Response:
    if unreachable_database(error):  # raised through a driver adapter or a middleware, not as a DBAPIError
        return _unavailable(request, error)
    if concurrent_change(error):  # raised by the driver itself (a statement sent without SQLAlchemy)
        return _concurrent(request, error)
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return _answer(request, HTTP_500_INTERNAL_SERVER_ERROR, _("Something went wrong on our side."))


exception_handlers: dict[Any, Any] = {
    HTTPException: _http,
    DomainError: _domain,
    IntegrityError: _integrity,
    DBAPIError: _refused_data,  # through SQLAlchemy (a database that cannot answer: 503)
    PostgresConnectionError: _unavailable,
    OperatorInterventionError: _unavailable,
    PoolTimeout: _unavailable,
    ConnectionError: _unavailable,
    TimeoutError: _unavailable,
    PostgresDataError: _refused_data,  # from the driver directly (the ballot box's fixed statements)
    Exception: _unexpected,
}
