"""Account use cases: create, register, authenticate with rate limits, issue and revoke tokens, load principals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import ROLES, Account, LoginFailure, ModeratorScope, RevokedToken, RoleGrant
from auth.passwords import hash_password, password_problem, verify_password
from auth.principal import Principal
from auth.ratelimit import LoginLimits, retry_after
from auth.tokens import KeyRing, TokenClaims, issue_token
from voting.audit.service import record
from voting.errors import DomainError
from voting.i18n import gettext as _
from voting.models import Neighbourhood

__all__ = [
    "AccountError",
    "RegistrationClosed",
    "LoginRefused",
    "TooManyAttempts",
    "IssuedToken",
    "normalise_email",
    "create_account",
    "register_citizen",
    "authenticate",
    "issue_for",
    "revoke",
    "load_principal",
]

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class AccountError(DomainError):
    """Input that cannot make or change an account (bad email, weak password, duplicate, unknown scope)."""

    status_code = 400


class RegistrationClosed(DomainError):
    status_code = 403


class LoginRefused(DomainError):
    """Wrong email or password; deliberately does not say which. The failure it recorded is kept."""

    status_code = 401
    commit_before_raise = True


class TooManyAttempts(DomainError):
    status_code = 429

    def __init__(self, seconds: int) -> None:
        super().__init__(_("Too many failed login attempts; try again in {seconds} seconds.").format(seconds=seconds),
                         extra={"retry_after": seconds})
        self.seconds = seconds


@dataclass(frozen=True)
class IssuedToken:
    token: str
    claims: TokenClaims


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise AccountError(_("Enter a valid email address."))
    return email


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
) -> Account:
    """Create an account with roles (and moderator scopes), audited; refuse duplicates and bad input.

    Accounts the city makes (CLI, admin, demo) count as confirmed: an operator typed the address.
    """
    email = normalise_email(email)
    if problem := password_problem(password):
        raise AccountError(problem)
    display_name = display_name.strip() or email.split("@")[0]
    if len(display_name) > 120:
        raise AccountError(_("The name must be at most 120 characters."))
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise AccountError(_("Unknown role {role}.").format(role=unknown[0]) if unknown
                           else _("An account needs a role."))
    slugs = list(dict.fromkeys(neighbourhood_slugs or []))
    if slugs and "moderator" not in roles:
        raise AccountError(_("Only moderators are scoped to neighbourhoods."))
    if "moderator" in roles and not slugs:
        raise AccountError(_("A moderator needs at least one neighbourhood."))
    hoods = (await session.exec(select(Neighbourhood).where(col(Neighbourhood.slug).in_(slugs)))).all()
    missing = sorted(set(slugs) - {h.slug for h in hoods})
    if missing:
        raise AccountError(_("Unknown neighbourhood {slug}.").format(slug=missing[0]))
    taken = (await session.exec(select(Account.id).where(func.lower(Account.email) == email))).first()
    if taken:
        raise AccountError(_("An account with this email already exists."))
    account = Account(email=email, password_hash=hash_password(password), display_name=display_name,
                      verified_at=datetime.now(UTC) if verified_how else None, verified_how=verified_how,
                      email_confirmed_at=datetime.now(UTC) if email_confirmed else None)
    session.add(account)
    await session.flush()
    for role in dict.fromkeys(roles):
        session.add(RoleGrant(account_id=account.id, role=role))
    for hood in hoods:
        assert hood.id is not None
        session.add(ModeratorScope(account_id=account.id, neighbourhood_id=hood.id))
    await session.flush()
    await record(session, actor=actor, action="account.created", subject=f"account:{account.id}",
                 data={"email": email, "roles": sorted(set(roles)), "neighbourhoods": sorted(slugs)})
    return account


async def register_citizen(session: AsyncSession, *, email: str, password: str, display_name: str) -> Account:
    """Self-registration: a citizen account, unverified; refused while the city has closed registration."""
    from voting.admin.settings import load_city_settings

    if not (await load_city_settings(session)).self_registration_open:
        raise RegistrationClosed(_("Registration is closed; ask the city for an account."))
    return await create_account(session, email=email, password=password, display_name=display_name,
                                roles=["citizen"], actor="self-registration", email_confirmed=False)


async def _failures(session: AsyncSession, column: str, value: str, since: datetime) -> list[datetime]:
    field = getattr(LoginFailure, column)
    rows = await session.exec(select(LoginFailure.at).where(field == value, col(LoginFailure.at) >= since))
    return list(rows.all())


async def authenticate(session: AsyncSession, *, email: str, password: str, client: str,
                       limits: LoginLimits = LoginLimits()) -> Account:
    """Check the password, enforce per-account and per-client limits, audit success and failure."""
    now = datetime.now(UTC)
    email_key = email.strip().lower()[:254]
    client = client[:64]
    since = now - limits.window
    wait = max(
        retry_after(await _failures(session, "email", email_key, since), limits.per_account, limits.window, now),
        retry_after(await _failures(session, "client", client, since), limits.per_client, limits.window, now),
    )
    if wait:
        raise TooManyAttempts(wait)
    account = (await session.exec(select(Account).where(func.lower(Account.email) == email_key))).first()
    ok = verify_password(account.password_hash if account else None, password)
    if not ok or account is None or not account.is_active:
        session.add(LoginFailure(email=email_key, client=client, at=now))
        await record(session, actor=f"client:{client}", action="auth.login_failed",
                     subject=f"account:{account.id}" if account else "account:unknown",
                     data={"email": email_key, "reason": "disabled" if ok and account else "bad credentials"})
        await session.flush()
        raise LoginRefused(_("Wrong email or password."))
    await record(session, actor=f"account:{account.id}", action="auth.login", subject=f"account:{account.id}",
                 data={"client": client})
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
       ARRAY(SELECT m.neighbourhood_id FROM moderator_scope m WHERE m.account_id = a.id) AS hoods
FROM account a
WHERE a.id = $1 AND a.is_active AND NOT EXISTS (SELECT 1 FROM revoked_token t WHERE t.jti = $2)
"""


async def load_principal(connection: Any, claims: TokenClaims) -> Principal | None:
    """The active account behind a token that is not revoked, with its roles and scopes; else None.

    Takes the driver's (asyncpg) connection, outside any transaction: one round trip, no BEGIN and ROLLBACK
    around it. This runs before every authenticated request, votes included.
    """
    row = await connection.fetchrow(PRINCIPAL_SQL, claims.subject, claims.jti)
    if row is None:
        return None
    return Principal(id=row["id"], email=row["email"], display_name=row["display_name"],
                     roles=frozenset(row["roles"]), neighbourhoods=frozenset(row["hoods"]), jti=claims.jti,
                     token_expires_at=claims.expires_at, verified=row["verified"], birth_date=row["birth_date"],
                     neighbourhood_id=row["neighbourhood_id"], email_confirmed=row["email_confirmed"])
