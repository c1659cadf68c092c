"""Route guards: 401 when nobody is logged in, 403 when the role or neighbourhood scope is missing."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from auth.principal import Principal
from voting.i18n import gettext as _
from voting.i18n import ngettext
from voting.words import role_words

__all__ = ["requires_login", "requires_role", "requires_admin", "requires_auditor", "requires_moderator",
           "requires_poll_officer", "current_principal"]

Guard = Callable[[ASGIConnection, BaseRouteHandler], Coroutine[Any, Any, None]]
"""Guards are coroutines: Litestar runs a plain function guard in a worker thread, a hop on every request."""


def current_principal(connection: ASGIConnection) -> Principal:
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):
        raise NotAuthorizedException(_("Log in first."))
    return principal


async def requires_login(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    current_principal(connection)


def requires_role(*roles: str) -> Guard:
    wanted = frozenset(roles)

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        principal = current_principal(connection)
        if not principal.roles & wanted:
            message = ngettext("This needs the role {roles}.", "This needs one of the roles {roles}.", len(wanted))
            roles = ", ".join(f"{role_words(role)} ({role})" for role in sorted(wanted))
            raise PermissionDeniedException(message.format(roles=roles))

    guard.__name__ = f"requires_{'_or_'.join(sorted(wanted))}"
    return guard


requires_admin = requires_role("admin")
requires_auditor = requires_role("auditor", "admin")
requires_moderator = requires_role("moderator", "admin")
requires_poll_officer = requires_role("poll_officer", "admin")
"""Paper votes: the service also checks the officer's neighbourhood."""
