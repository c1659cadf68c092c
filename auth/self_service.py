"""What residents do with their own account: profile, password change, and password reset by e-mail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.account_tokens import issue_token_for, use_token
from auth.models import Account
from auth.passwords import hash_password_async, password_problem, verify_password_async
from auth.principal import Principal
from auth.ratelimit import Counter, RegistrationLimits
from auth.registration import mail_link, resolve_neighbourhood, throttled
from auth.rules import (
    AccountError,
    WrongPassword,
    check_birth_date,
    check_display_name,
    drops_verification,
    sessions_cutoff,
)
from auth.service import find_account
from auth.throttle import forgive
from voting.audit.service import record
from voting.i18n import LANGUAGES
from voting.i18n import gettext as _
from voting.mail.rendering import render
from voting.mail.service import enqueue
from voting.models import Neighbourhood

__all__ = ["own_account", "profile_of", "check_own_password", "update_profile", "change_password",
           "request_password_reset", "reset_password"]

PROFILE_FIELDS = ("display_name", "language", "neighbourhood", "birth_date", "notify_ballot_opened",
                  "notify_results")


async def own_account(session: AsyncSession, principal: Principal) -> Account:
    account = await session.get(Account, principal.id)
    assert account is not None  # the principal was loaded from this row in this request
    return account


async def profile_of(session: AsyncSession, account: Account) -> dict[str, Any]:
    """The account as its owner sees it (the neighbourhood by slug)."""
    hood = await session.get(Neighbourhood, account.neighbourhood_id) if account.neighbourhood_id else None
    return {"id": str(account.id), "email": account.email, "display_name": account.display_name,
            "language": account.language, "neighbourhood": hood.slug if hood else None,
            "birth_date": account.birth_date, "notify_ballot_opened": account.notify_ballot_opened,
            "notify_results": account.notify_results, "email_confirmed": account.email_confirmed_at is not None,
            "verified": account.verified_at is not None, "verified_how": account.verified_how,
            "created_at": account.created_at}


async def update_profile(session: AsyncSession, principal: Principal, changes: dict[str, Any]) -> Account:
    """Apply the given fields only; a new neighbourhood or birth date is declared, no longer verified."""
    account = await own_account(session, principal)
    old_hood, old_birth = account.neighbourhood_id, account.birth_date
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise AccountError(_("Unknown field {field}.").format(field=unknown[0]), field=unknown[0])
    if "display_name" in changes:
        account.display_name = check_display_name(str(changes["display_name"] or ""))
    if "language" in changes:
        if changes["language"] not in (None, "", *LANGUAGES):
            raise AccountError(_("Choose French or English."), field="language")
        account.language = changes["language"] or None
    if "neighbourhood" in changes:
        if not changes["neighbourhood"]:
            raise AccountError(_("Choose your neighbourhood."), field="neighbourhood")
        account.neighbourhood_id = (await resolve_neighbourhood(session, str(changes["neighbourhood"]), None)).id
    if "birth_date" in changes:
        account.birth_date = check_birth_date(changes["birth_date"], datetime.now(UTC).date())
    for name in ("notify_ballot_opened", "notify_results"):
        if name in changes:
            if not isinstance(changes[name], bool):
                raise AccountError(_("Choose yes or no."), field=name)
            setattr(account, name, changes[name])
    dropped = account.verified_at is not None and drops_verification(
        old_hood, old_birth, account.neighbourhood_id, account.birth_date)
    if dropped:
        account.verified_at = None
        account.verified_how = None
    session.add(account)
    await session.flush()
    await record(session, actor=f"account:{account.id}", action="account.updated", subject=f"account:{account.id}",
                 data={"fields": sorted(changes), "verification_dropped": dropped})
    return account


async def _set_password(session: AsyncSession, account: Account, password: str) -> None:
    account.password_hash = await hash_password_async(password)
    account.sessions_since = sessions_cutoff(datetime.now(UTC))  # every earlier token stops working
    session.add(account)
    await session.flush()


async def check_own_password(session: AsyncSession, account: Account, password: str, message: str,
                             field: str) -> None:
    """Ask the password again before a sensitive change: 5 wrong tries, then growing waits (kept on refusal)."""
    counter = Counter(f"password-check:{account.id}", 5)
    await throttled(session, counter.key, RegistrationLimits(free_per_client=counter.free))
    if not await verify_password_async(account.password_hash, password):
        raise WrongPassword(message, field=field)
    await forgive(session, [counter], reset={counter.key})


async def change_password(session: AsyncSession, principal: Principal, *, current: str, new: str) -> Account:
    """Needs the current password; ends every other session (the caller issues a fresh token for this one)."""
    account = await own_account(session, principal)
    if problem := password_problem(new):
        raise AccountError(problem, field="new_password")
    await check_own_password(session, account, current, _("The current password is wrong."), "current_password")
    await _set_password(session, account, new)
    await record(session, actor=f"account:{account.id}", action="account.password_changed",
                 subject=f"account:{account.id}")
    return account


async def request_password_reset(session: AsyncSession, email: str, *, client: str) -> None:
    """Mail a one-hour reset link if the address has an account; the caller sees the same either way."""
    await throttled(session, f"reset-client:{client[:64]}")
    key = email.strip().lower()[:254]
    await throttled(session, f"reset-address:{key}", RegistrationLimits(free_per_client=3))
    account = await find_account(session, key) if key else None
    if account is None or not account.is_active:
        render("reset_password", "en", {"name": "", "link": mail_link("/password-reset/new", "x" * 43)})
        return  # the same rendering work as a real message, nothing stored
    token = await issue_token_for(session, account.id, "reset_password")
    await enqueue(session, to=account.email, kind="reset_password", language=account.language or "",
                  context={"name": account.display_name, "link": mail_link("/password-reset/new", token)},
                  account_id=account.id)
    await record(session, actor=f"client:{client[:64]}", action="account.password_reset_requested",
                 subject=f"account:{account.id}")


async def reset_password(session: AsyncSession, token: str, new_password: str) -> Account:
    """Set a new password with a mailed token (single use, one hour); every existing session ends."""
    if problem := password_problem(new_password):
        raise AccountError(problem, field="new_password")  # checked first: a typo does not burn the link
    account_id = await use_token(session, token, "reset_password")
    account = await session.get(Account, account_id) if account_id else None
    if account is None or not account.is_active:
        raise AccountError(_("This reset link is invalid, already used or expired: ask for a new one."),
                           field="token")
    await _set_password(session, account, new_password)
    if account.email_confirmed_at is None:  # the link reached the mailbox: the address is confirmed too
        account.email_confirmed_at = datetime.now(UTC)
        session.add(account)
        await session.flush()
    await record(session, actor=f"account:{account.id}", action="account.password_reset",
                 subject=f"account:{account.id}")
    return account
