"""Account use cases: create, authenticate with throttled attempts, issue and revoke tokens, load principals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import ROLES, Account, ModeratorScope, PollOfficerScope, RevokedToken, RoleGrant
from auth.passwords import hash_password_async, needs_rehash, password_problem, verify_password_async
from auth.principal import Principal
from auth.ratelimit import LoginLimits, login_counters
from auth.rules import AccountError, normalise_email
from auth.throttle import Blocked, forgive, reserve
from auth.tokens import KeyRing, TokenClaims, issue_token
from voting.audit.service import record
from voting.errors import DomainError
from voting.i18n import gettext as _
from voting.i18n import ngettext
from voting.models import Neighbourhood

__all__ = [
    "AccountError",
    "RegistrationClosed",
    "LoginRefused",
    "TooManyAttempts",
    "IssuedToken",
    "normalise_email",
    "create_account",
    "find_account",
    "authenticate",
    "issue_for",
    "revoke",
    "load_principal_until",
]

class RegistrationClosed(DomainError):
    status_code = 403


class LoginRefused(DomainError):
    """Wrong email or password; deliberately does not say which. The failure it recorded is kept."""

    status_code = 401
    commit_before_raise = True


class TooManyAttempts(DomainError):
    status_code = 429

    def __init__(self, seconds: int, message: str | None = None) -> None:
        message = message or ngettext("Too many failed login attempts; try again in {seconds} second.",
                                      "Too many failed login attempts; try again in {seconds} seconds.", seconds)
        super().__init__(message.format(seconds=seconds), extra={"retry_after": seconds})
        self.seconds = seconds


@dataclass(frozen=True)
class IssuedToken:
    token: str
    claims: TokenClaims


async def find_account(session: AsyncSession, email: str) -> Account | None:
    return (await session.exec(select(Account).where(func.lower(Account.email) == email.strip().lower()))).first()


async def create_account(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str,
    roles: list[str],
    neighbourhood_slugs: list[str] | None = None,
    actor: str = "system",
    verified_how: str | None = None,
    email_confirmed: bool = True,
    birth_date: date | None = None,
    home_neighbourhood_id: int | None = None,
    language: str | None = None,
    password_hash: str | None = None,
) -> Account:
    """Create an account with roles (and moderator scopes), audited; refuse duplicates and bad input.

    Accounts the city makes (CLI, admin, demo) count as confirmed: an operator typed the address.
    ``password_hash``: the password's hash if it was made beforehand (the demo makes them while its database starts).
    """
    email = normalise_email(email)
    if problem := password_problem(password):
        raise AccountError(problem, field="password")
    display_name = display_name.strip() or email.split("@")[0]
    if len(display_name) > 120:
        raise AccountError(_("The name must be at most 120 characters."), field="display_name")
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise AccountError(_("Unknown role {role}.").format(role=unknown[0]) if unknown
                           else _("An account needs a role."))
    slugs = list(dict.fromkeys(neighbourhood_slugs or []))
    scoped = {"moderator", "poll_officer"} & set(roles)
    if slugs and not scoped:
        raise AccountError(_("Only moderators and poll officers are scoped to neighbourhoods."))
    if "moderator" in roles and not slugs:
        raise AccountError(_("A moderator needs at least one neighbourhood."))
    if "poll_officer" in roles and not slugs:
        raise AccountError(_("A poll officer needs at least one neighbourhood."))
    hoods = (await session.exec(select(Neighbourhood).where(col(Neighbourhood.slug).in_(slugs)))).all()
    missing = sorted(set(slugs) - {h.slug for h in hoods})
    if missing:
        raise AccountError(_("Unknown neighbourhood {slug}.").format(slug=missing[0]))
    taken = (await session.exec(select(Account.id).where(func.lower(Account.email) == email))).first()
    if taken:
        raise AccountError(_("An account with this email already exists."), field="email")
    password_hash = password_hash or await hash_password_async(password)
    account = Account(email=email, password_hash=password_hash, display_name=display_name,
                      verified_at=datetime.now(UTC) if verified_how else None, verified_how=verified_how,
                      email_confirmed_at=datetime.now(UTC) if email_confirmed else None, birth_date=birth_date,
                      neighbourhood_id=home_neighbourhood_id, language=language)
    session.add(account)
    await session.flush()
    for role in dict.fromkeys(roles):
        session.add(RoleGrant(account_id=account.id, role=role))
    for hood in hoods:
        assert hood.id is not None
        if "moderator" in roles:
            session.add(ModeratorScope(account_id=account.id, neighbourhood_id=hood.id))
        if "poll_officer" in roles:
            session.add(PollOfficerScope(account_id=account.id, neighbourhood_id=hood.id))
    await session.flush()
    # No address in the entry: the audit log outlives the account's deletion and is never rewritten.
    await record(session, actor=actor, action="account.created", subject=f"account:{account.id}",
                 data={"roles": sorted(set(roles)), "neighbourhoods": sorted(slugs)})
    return account


async def authenticate(session: AsyncSession, *, email: str, password: str, client: str,
                       limits: LoginLimits = LoginLimits()) -> Account:
    """Check the password at most as often as the throttles allow, audit success and failure.

    The attempt is counted (per client, and per account typed from that client) *before* the password is
    checked, so parallel guesses cannot all slip through; a success takes the count back.
    """
    email_key = email.strip().lower()[:254]
    counters = login_counters(email_key, client[:64], limits)
    try:
        await reserve(session, counters, first=limits.first_delay, cap=limits.max_delay,
                      forget_after=limits.forget_after)
    except Blocked as blocked:
        raise TooManyAttempts(blocked.seconds) from None
    account = await find_account(session, email_key)
    ok = await verify_password_async(account.password_hash if account else None, password)
    if not ok or account is None or not account.is_active:
        await record(session, actor=f"client:{client[:64]}", action="auth.login_failed",
                     subject=f"account:{account.id}" if account else "account:unknown",
                     data={"email": email_key, "reason": "disabled" if ok and account else "bad credentials"})
        await session.flush()
        raise LoginRefused(_("Wrong email or password."))
    await forgive(session, counters, reset={counters[-1].key})
    if account.password_hash and needs_rehash(account.password_hash):  # parameters raised since it was hashed
        account.password_hash = await hash_password_async(password)
        session.add(account)
    await record(session, actor=f"account:{account.id}", action="auth.login", subject=f"account:{account.id}",
                 data={"client": client[:64]})
    return account


def issue_for(ring: KeyRing, account: Account, *, issuer: str, audience: str, ttl_seconds: int) -> IssuedToken:
    token, claims = issue_token(ring, account.id, issuer=issuer, audience=audience,
                                ttl=timedelta(seconds=ttl_seconds))
    return IssuedToken(token, claims)


async def revoke(session: AsyncSession, principal: Principal) -> None:
    """Logout: the token's id goes on the deny list until it would have expired anyway."""
    if not principal.jti:
        return
    expires = principal.token_expires_at or datetime.now(UTC) + timedelta(days=1)
    if (await session.get(RevokedToken, principal.jti)) is None:
        session.add(RevokedToken(jti=principal.jti, expires_at=expires))
    await session.exec(delete(RevokedToken).where(col(RevokedToken.expires_at) < datetime.now(UTC)))  # type: ignore[call-overload]
    await record(session, actor=f"account:{principal.id}", action="auth.logout", subject=f"account:{principal.id}")


PRINCIPAL_SQL = """
SELECT a.id, a.email, a.display_name, a.verified_at IS NOT NULL AS verified, a.birth_date, a.neighbourhood_id,
       a.email_confirmed_at IS NOT NULL AS email_confirmed,
       ARRAY(SELECT r.role FROM role_grant r WHERE r.account_id = a.id) AS roles,
       ARRAY(SELECT m.neighbourhood_id FROM moderator_scope m WHERE m.account_id = a.id) AS hoods,
       ARRAY(SELECT p.neighbourhood_id FROM poll_officer_scope p WHERE p.account_id = a.id) AS polls,
       (SELECT k.verify_until FROM signing_key k WHERE k.kid = $4 AND k.retired_at IS NOT NULL) AS key_until
FROM account a
WHERE a.id = $1 AND a.is_active AND NOT EXISTS (SELECT 1 FROM revoked_token t WHERE t.jti = $2)
  AND (a.sessions_since IS NULL OR a.sessions_since <= $3)
  AND EXISTS (SELECT 1 FROM signing_key k WHERE k.kid = $4 AND k.purpose = 'tokens'
              AND (k.retired_at IS NULL OR k.verify_until > clock_timestamp()))
"""
"""The signing key is read here too, so a key retired past its grace fails on every process at once, whatever
key ring each one has cached."""


async def load_principal_until(connection: Any, claims: TokenClaims) -> tuple[Principal | None, float | None]:
    """The active account behind a token that is not revoked, with its roles and scopes (else None), and the epoch
    second after which the token's key no longer verifies (None: no end set).

    Takes the driver's (asyncpg) connection, outside any transaction: one round trip, no BEGIN and ROLLBACK
    around it. The identity middleware calls it (through the per-process cache) for authenticated requests.
    """
    issued = claims.issued_at or claims.expires_at  # a token without iat cannot be older than the cutoff
    row = await connection.fetchrow(PRINCIPAL_SQL, claims.subject, claims.jti, issued, claims.kid)
    if row is None:
        return None, None
    key_until = row["key_until"].timestamp() if row["key_until"] is not None else None
    return Principal(id=row["id"], email=row["email"], display_name=row["display_name"],
                     roles=frozenset(row["roles"]), neighbourhoods=frozenset(row["hoods"]),
                     polling_stations=frozenset(row["polls"]), jti=claims.jti,
                     token_expires_at=claims.expires_at, verified=row["verified"], birth_date=row["birth_date"],
                     neighbourhood_id=row["neighbourhood_id"], email_confirmed=row["email_confirmed"]), key_until
