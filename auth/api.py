"""JSON authentication API: tokens for API clients, logout, and who am I."""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody

from auth.clients import Network, client_address_from, parse_trusted_proxies
from auth.dependencies import CurrentKeyRing
from auth.guards import current_principal, requires_login
from auth.schemas import MeResponse, TokenRequest, TokenResponse
from auth.service import authenticate, issue_for, revoke
from voting.database import DBSession

__all__ = ["AuthAPI", "client_address"]


@cache
def _networks(value: str) -> tuple[Network, ...]:
    return parse_trusted_proxies(value)


def client_address(request: Request[Any, Any, Any]) -> str:
    """The peer, or the X-Forwarded-For client when the peer is one of ``GREENBALLOT_TRUSTED_PROXIES``."""
    trusted = _networks(request.app.state.settings.trusted_proxies)
    return client_address_from(request.client.host if request.client else None,
                               request.headers.get("x-forwarded-for"), trusted)


class AuthAPI(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/token", operation_id="createToken", status_code=200)
    async def token(self, request: Request[Any, Any, Any], db_session: DBSession, key_ring: CurrentKeyRing,
                    data: JSONBody[TokenRequest]) -> TokenResponse:
        """Exchange an email and password for a Bearer access token (HS256 JWT)."""
        account = await authenticate(db_session, email=data.email, password=data.password,
                                     client=client_address(request))
        settings = request.app.state.settings
        issued = issue_for(key_ring, account, issuer=settings.issuer,
                           audience=settings.audience, ttl_seconds=settings.token_ttl_seconds)
        return TokenResponse(access_token=issued.token, expires_at=issued.claims.expires_at)

    @post("/logout", operation_id="revokeToken", status_code=204, guards=[requires_login])
    async def logout(self, request: Request[Any, Any, Any], db_session: DBSession) -> None:
        """Revoke the token used for this request."""
        await revoke(db_session, current_principal(request))

    @get("/me", operation_id="getMe", guards=[requires_login])
    async def me(self, request: Request[Any, Any, Any]) -> MeResponse:
        principal = current_principal(request)
        return MeResponse(id=str(principal.id), email=principal.email, display_name=principal.display_name,
                          roles=sorted(principal.roles), neighbourhoods=sorted(principal.neighbourhoods),
                          email_confirmed=principal.email_confirmed)
