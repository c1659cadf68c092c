"""Self-registration and e-mail confirmation: declared residence and age, a mailed single-use link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.account_tokens import issue_token_for, use_token
from auth.census.service import verify_from_census
from auth.models import Account
from auth.passwords import hash_password_async, password_problem
from auth.principal import Principal
from auth.ratelimit import Counter, RegistrationLimits
from auth.rules import (
    AccountError,
    HoodChoice,
    check_birth_date,
    check_display_name,
    neighbourhood_for_postcode,
    normalise_email,
)
from auth.service import RegistrationClosed, TooManyAttempts, create_account, find_account
from auth.throttle import Blocked, reserve
from voting.audit.service import record
from voting.domain import Conflict
from voting.i18n import current_language, ngettext
from voting.i18n import gettext as _
from voting.mail.service import enqueue, public_link
from voting.models import Neighbourhood

__all__ = ["Registration", "register", "confirm_email", "send_confirmation", "resend_confirmation",
           "resolve_neighbourhood", "neighbourhood_choices",
           "throttled", "mail_link"]


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    display_name: str
    birth_date: date | str | None
    neighbourhood: str | None = None
    postcode: str | None = None
    document_id: str | None = None
    """Passed to the census check only; never stored."""
    consent: bool = True
    """The form's "I have read the privacy notice" box (an API client reads the notice through its own UI)."""


async def throttled(session: AsyncSession, key: str, limits: RegistrationLimits = RegistrationLimits()) -> None:
    """Count one attempt under ``key`` (a client, an address); 429 when it must wait."""
    try:
        await reserve(session, [Counter(key, limits.free_per_client)], first=limits.first_delay,
                      cap=limits.max_delay, forget_after=limits.forget_after)
    except Blocked as blocked:
        raise TooManyAttempts(blocked.seconds, ngettext("Too many attempts; try again in {seconds} second.",
                                                        "Too many attempts; try again in {seconds} seconds.",
                                                        blocked.seconds)) from None


async def resolve_neighbourhood(session: AsyncSession, slug: str | None, postcode: str | None) -> Neighbourhood:
    """The chosen neighbourhood (by slug), else the one the postcode belongs to; retired ones are refused."""
    hoods = (await session.exec(select(Neighbourhood).where(col(Neighbourhood.retired_at).is_(None)))).all()
    if slug and slug.strip():
        for hood in hoods:
            if hood.slug == slug.strip():
                return hood
        raise AccountError(_("Unknown neighbourhood {slug}.").format(slug=slug.strip()[:64]), field="neighbourhood")
    choices = [HoodChoice(h.id, h.slug, tuple(h.postcodes or ())) for h in hoods if h.id is not None]
    chosen = neighbourhood_for_postcode(postcode or "", choices)
    return next(hood for hood in hoods if hood.id == chosen.id)


async def neighbourhood_choices(session: AsyncSession) -> list[tuple[str, str]]:
    """(slug, name in the reader's language) of the neighbourhoods a resident can declare, by name."""
    hoods = (await session.exec(select(Neighbourhood).where(col(Neighbourhood.retired_at).is_(None)))).all()
    return sorted(((hood.slug, hood.name(current_language())) for hood in hoods), key=lambda pair: pair[1])


def mail_link(path: str, token: str) -> str:
    return public_link(f"{path}?token={token}")


async def send_confirmation(session: AsyncSession, account: Account) -> None:
    token = await issue_token_for(session, account.id, "confirm_email")
    await enqueue(session, to=account.email, kind="confirm_email", language=account.language or "",
                  context={"name": account.display_name, "link": mail_link("/account/confirm", token)},
                  account_id=account.id)


async def _mail_existing_owner(session: AsyncSession, account: Account) -> None:
    """Someone registered with an address that has an account: tell its owner, tell the caller nothing."""
    if account.email_confirmed_at is None:
        await send_confirmation(session, account)
    else:
        token = await issue_token_for(session, account.id, "reset_password")
        await enqueue(session, to=account.email, kind="reset_password", language=account.language or "",
                      context={"name": account.display_name, "link": mail_link("/password-reset/new", token)},
                      account_id=account.id)
    await record(session, actor="self-registration", action="account.registration_repeated",
                 subject=f"account:{account.id}")


async def register(session: AsyncSession, form: Registration, *, client: str) -> str:
    """Create an unconfirmed citizen account and mail its confirmation link; return the normalised address.

    An address that already has an account gets the same answer (and the same work: a password is hashed),
    and its owner is mailed instead: nobody learns which addresses are registered.
    """
    from voting.admin.settings import load_city_settings

    if not (await load_city_settings(session)).self_registration_open:
        raise RegistrationClosed(_("Registration is closed; ask the city for an account."))
    await throttled(session, f"register-client:{client[:64]}")
    if not form.consent:
        raise AccountError(_("Tick the box to say you have read the privacy notice."), field="consent")
    email = normalise_email(form.email)
    name = check_display_name(form.display_name)
    if problem := password_problem(form.password):
        raise AccountError(problem, field="password")
    hood = await resolve_neighbourhood(session, form.neighbourhood, form.postcode)
    birth = check_birth_date(form.birth_date, datetime.now(UTC).date())
    existing = await find_account(session, email)
    if existing is not None:
        await hash_password_async(form.password)  # the same time as a new account takes
        if existing.deleted_at is None:
            await _mail_existing_owner(session, existing)
        return email
    account = await create_account(session, email=email, password=form.password, display_name=name,
                                   roles=["citizen"], actor="self-registration", email_confirmed=False,
                                   birth_date=birth, home_neighbourhood_id=hood.id, language=current_language())
    if form.document_id:  # kept for the match only: its keyed hash waits for the confirmation
        await verify_from_census(session, account, form.document_id, birth_date=birth)
    await send_confirmation(session, account)
    return email


async def confirm_email(session: AsyncSession, token: str) -> Account:
    """Follow the mailed link: the address is confirmed (once; the link then stops working)."""
    account_id = await use_token(session, token, "confirm_email")
    account = await session.get(Account, account_id) if account_id else None
    if account is None or not account.is_active:
        raise AccountError(_("This confirmation link is invalid, already used or expired. Log in and ask for "
                             "a new one from your account page."), field="token")
    if account.email_confirmed_at is None:
        account.email_confirmed_at = datetime.now(UTC)
        session.add(account)
        await session.flush()
        await record(session, actor=f"account:{account.id}", action="account.email_confirmed",
                     subject=f"account:{account.id}")
        await verify_from_census(session, account)  # by e-mail, or the document typed at registration
    return account


async def resend_confirmation(session: AsyncSession, principal: Principal) -> None:
    account = await session.get(Account, principal.id)
    assert account is not None  # the principal was loaded from it
    if account.email_confirmed_at is not None:
        raise Conflict(_("Your e-mail address is already confirmed."))
    await throttled(session, f"confirm-mail:{account.id}", RegistrationLimits(free_per_client=3))
    await send_confirmation(session, account)



