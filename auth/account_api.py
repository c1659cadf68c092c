"""JSON API of accounts: registration, e-mail confirmation, password reset, and the resident's own account."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import JSONBody

from auth.account_data import delete_account, export_data
from auth.api import client_address
from auth.dependencies import CurrentKeyRing
from auth.guards import current_principal, requires_login
from auth.registration import Registration, confirm_email, register, resend_confirmation
from auth.schemas import (
    AccountResponse,
    AccountUpdate,
    PasswordChange,
    PasswordConfirmation,
    PendingResponse,
    RegisterRequest,
    ResetComplete,
    ResetRequest,
    TokenBody,
    TokenResponse,
)
from auth.self_service import (
    change_password,
    own_account,
    profile_of,
    request_password_reset,
    reset_password,
    update_profile,
)
from auth.service import issue_for
from voting.database import DBSession
from voting.i18n import gettext as _

__all__ = ["RegistrationAPI", "AccountAPI"]


def _token_for(request: Request[Any, Any, Any], ring: Any, account: Any) -> TokenResponse:
    settings = request.app.state.settings
    issued = issue_for(ring, account, issuer=settings.issuer, audience=settings.audience,
                       ttl_seconds=settings.token_ttl_seconds)
    return TokenResponse(access_token=issued.token, expires_at=issued.claims.expires_at)


class RegistrationAPI(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/register", operation_id="register", status_code=201)
    async def register(self, request: Request[Any, Any, Any], db_session: DBSession,
                       data: JSONBody[RegisterRequest]) -> PendingResponse:
        """Create a citizen account (declared neighbourhood and birth date) and mail its confirmation link.

        The answer is the same when the address already has an account: its owner is mailed instead."""
        email = await register(db_session, Registration(**data.model_dump()), client=client_address(request))
        return PendingResponse(email=email, detail=_("Check your mailbox: we sent a link to confirm the address."))

    @post("/confirm", operation_id="confirmEmail", status_code=200)
    async def confirm(self, db_session: DBSession, data: JSONBody[TokenBody]) -> AccountResponse:
        """Confirm the e-mail address with the token from the mailed link (single use)."""
        return AccountResponse(**await profile_of(db_session, await confirm_email(db_session, data.token)))

    @post("/password-reset", operation_id="requestPasswordReset", status_code=202)
    async def request_reset(self, request: Request[Any, Any, Any], db_session: DBSession,
                            data: JSONBody[ResetRequest]) -> PendingResponse:
        """Mail a one-hour reset link if the address has an account; the answer is the same either way."""
        await request_password_reset(db_session, data.email, client=client_address(request))
        return PendingResponse(email=data.email, detail=_("If this address has an account, we sent it a link."))

    @post("/password-reset/complete", operation_id="resetPassword", status_code=204)
    async def reset(self, db_session: DBSession, data: JSONBody[ResetComplete]) -> None:
        """Set a new password with the mailed token; every existing session ends."""
        await reset_password(db_session, data.token, data.new_password)


class AccountAPI(Controller):
    path = "/api/v1/account"
    tags = ["account"]
    guards = [requires_login]

    @get("/", operation_id="getAccount")
    async def show(self, request: Request[Any, Any, Any], db_session: DBSession) -> AccountResponse:
        account = await own_account(db_session, current_principal(request))
        return AccountResponse(**await profile_of(db_session, account))

    @patch("/", operation_id="updateAccount")
    async def update(self, request: Request[Any, Any, Any], db_session: DBSession,
                     data: JSONBody[AccountUpdate]) -> AccountResponse:
        """Change only the fields sent; a new neighbourhood or birth date must be verified again."""
        account = await update_profile(db_session, current_principal(request), data.model_dump(exclude_unset=True))
        return AccountResponse(**await profile_of(db_session, account))

    @post("/password", operation_id="changePassword", status_code=200)
    async def password(self, request: Request[Any, Any, Any], db_session: DBSession, key_ring: CurrentKeyRing,
                       data: JSONBody[PasswordChange]) -> TokenResponse:
        """Change the password (the current one is needed): every other session ends; here is a new token."""
        account = await change_password(db_session, current_principal(request), current=data.current_password,
                                        new=data.new_password)
        return _token_for(request, key_ring, account)

    @post("/confirmation", operation_id="resendConfirmation", status_code=202)
    async def resend(self, request: Request[Any, Any, Any], db_session: DBSession) -> None:
        """Send the e-mail confirmation link again."""
        await resend_confirmation(db_session, current_principal(request))

    @get("/data", operation_id="downloadMyData")
    async def data(self, request: Request[Any, Any, Any], db_session: DBSession) -> Response[dict[str, Any]]:
        """Everything the city holds about me, as JSON (never vote contents: they are not linked to anyone)."""
        body = await export_data(db_session, current_principal(request))
        return Response(body, headers={"Content-Disposition": 'attachment; filename="my-greenballot-data.json"'})

    @delete("/", operation_id="deleteAccount", status_code=204)
    async def remove(self, request: Request[Any, Any, Any], db_session: DBSession,
                     data: JSONBody[PasswordConfirmation]) -> None:
        """Delete my account (the password is needed): personal data erased, sessions ended."""
        await delete_account(db_session, current_principal(request), password=data.password)
