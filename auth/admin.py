"""People and roles: find accounts, grant and revoke roles, scope moderators, disable, verify; all audited."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import delete, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import ROLES, Account, ModeratorScope, PollOfficerScope, RoleGrant
from auth.rules import sessions_cutoff
from voting.audit.service import record
from voting.domain import Conflict, DomainError, NotFound
from voting.i18n import gettext as _
from voting.models import Neighbourhood

__all__ = ["AccountView", "find_accounts", "account_view", "grant_role", "revoke_role", "set_moderator_scope",
           "set_poll_officer_scope", "set_active", "mark_verified"]


class AccountView:
    """An account with its roles and moderator neighbourhoods, for admin pages and the API."""

    def __init__(self, account: Account, roles: list[str], neighbourhoods: list[str],
                 polling_stations: list[str] | None = None) -> None:
        self.account, self.roles, self.neighbourhoods = account, sorted(roles), sorted(neighbourhoods)
        self.polling_stations = sorted(polling_stations or [])
        """The neighbourhoods where a poll officer enters paper votes."""


async def _get(session: AsyncSession, account_id: uuid.UUID) -> Account:
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound(_("Unknown account."))
    return account


async def account_view(session: AsyncSession, account: Account) -> AccountView:
    roles = (await session.exec(select(RoleGrant.role).where(RoleGrant.account_id == account.id))).all()
    hoods = (await session.exec(select(Neighbourhood.slug).join(
        ModeratorScope, col(ModeratorScope.neighbourhood_id) == col(Neighbourhood.id)).where(
        ModeratorScope.account_id == account.id))).all()
    polls = (await session.exec(select(Neighbourhood.slug).join(
        PollOfficerScope, col(PollOfficerScope.neighbourhood_id) == col(Neighbourhood.id)).where(
        PollOfficerScope.account_id == account.id))).all()
    return AccountView(account, list(roles), list(hoods), list(polls))


async def find_accounts(session: AsyncSession, query: str = "", role: str | None = None, limit: int = 50,
                        offset: int = 0) -> list[AccountView]:
    statement = select(Account).order_by(col(Account.email)).limit(min(limit, 200)).offset(max(offset, 0))
    if query.strip():
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(or_(func.lower(Account.email).like(pattern),
                                        func.lower(Account.display_name).like(pattern)))
    if role:
        statement = statement.where(col(Account.id).in_(select(RoleGrant.account_id).where(RoleGrant.role == role)))
    return [await account_view(session, account) for account in (await session.exec(statement)).all()]


async def _admin_count(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(RoleGrant).join(
        Account, col(Account.id) == col(RoleGrant.account_id)).where(
        RoleGrant.role == "admin", col(Account.is_active).is_(True)))).one()


async def grant_role(session: AsyncSession, *, actor: str, account_id: uuid.UUID, role: str) -> AccountView:
    if role not in ROLES:
        raise DomainError(_("Unknown role {role}.").format(role=role))
    account = await _get(session, account_id)
    if await session.get(RoleGrant, (account_id, role)) is None:
        session.add(RoleGrant(account_id=account_id, role=role))
        await session.flush()
        await record(session, actor=actor, action="role.granted", subject=f"account:{account_id}",
                     data={"role": role})
    return await account_view(session, account)


async def revoke_role(session: AsyncSession, *, actor: str, account_id: uuid.UUID, role: str) -> AccountView:
    account = await _get(session, account_id)
    grant = await session.get(RoleGrant, (account_id, role))
    if grant is None:
        raise NotFound(_("This account does not have the role {role}.").format(role=role))
    if role == "admin" and account.is_active and await _admin_count(session) <= 1:
        raise Conflict(_("This is the last administrator: make someone else an administrator first."))
    await session.delete(grant)
    if role == "moderator":
        await session.exec(delete(ModeratorScope).where(col(ModeratorScope.account_id) == account_id))  # type: ignore[call-overload]
    if role == "poll_officer":
        await session.exec(delete(PollOfficerScope).where(col(PollOfficerScope.account_id) == account_id))  # type: ignore[call-overload]
    await session.flush()
    await record(session, actor=actor, action="role.revoked", subject=f"account:{account_id}", data={"role": role})
    return await account_view(session, account)


async def _set_scope(session: AsyncSession, *, actor: str, account_id: uuid.UUID, slugs: list[str], role: str,
                     scope: type[ModeratorScope] | type[PollOfficerScope], none_left: str, action: str) -> AccountView:
    """Replace the neighbourhoods of a scoped role (granting the role if needed), audited as ``action``."""
    account = await _get(session, account_id)
    slugs = sorted(set(slugs))
    hoods = (await session.exec(select(Neighbourhood).where(col(Neighbourhood.slug).in_(slugs)))).all()
    missing = sorted(set(slugs) - {hood.slug for hood in hoods})
    if missing:
        raise NotFound(_("Unknown neighbourhood {slug}.").format(slug=missing[0]))
    if not slugs:
        raise DomainError(none_left)
    await grant_role(session, actor=actor, account_id=account_id, role=role)
    await session.exec(delete(scope).where(col(scope.account_id) == account_id))  # type: ignore[call-overload]
    for hood in hoods:
        assert hood.id is not None
        session.add(scope(account_id=account_id, neighbourhood_id=hood.id))
    await session.flush()
    await record(session, actor=actor, action=action, subject=f"account:{account_id}", data={"neighbourhoods": slugs})
    return await account_view(session, account)


async def set_moderator_scope(session: AsyncSession, *, actor: str, account_id: uuid.UUID,
                              slugs: list[str]) -> AccountView:
    """Replace the neighbourhoods a moderator is scoped to (granting the moderator role if needed)."""
    return await _set_scope(session, actor=actor, account_id=account_id, slugs=slugs, role="moderator",
                            scope=ModeratorScope, none_left=_("A moderator needs at least one neighbourhood."),
                            action="moderator.scoped")


async def set_poll_officer_scope(session: AsyncSession, *, actor: str, account_id: uuid.UUID,
                                 slugs: list[str]) -> AccountView:
    """Replace the neighbourhoods where a poll officer enters paper votes (granting the role if needed)."""
    return await _set_scope(session, actor=actor, account_id=account_id, slugs=slugs, role="poll_officer",
                            scope=PollOfficerScope, none_left=_("A poll officer needs at least one neighbourhood."),
                            action="poll_officer.scoped")


async def set_active(session: AsyncSession, *, actor: str, account_id: uuid.UUID, active: bool) -> AccountView:
    """Disable (its sessions end at once: every request re-reads the account) or re-enable an account."""
    account = await _get(session, account_id)
    if not active and account.is_active:
        is_admin = await session.get(RoleGrant, (account_id, "admin")) is not None
        if is_admin and await _admin_count(session) <= 1:
            raise Conflict(_("This is the last administrator: make someone else an administrator first."))
    if account.is_active != active:
        account.is_active = active
        if not active:  # re-enabling it later must not revive the tokens issued before
            account.sessions_since = sessions_cutoff(datetime.now(UTC))
        session.add(account)
        await session.flush()
        await record(session, actor=actor, action="account.enabled" if active else "account.disabled",
                     subject=f"account:{account_id}")
    return await account_view(session, account)


async def mark_verified(session: AsyncSession, *, actor: str, account_id: uuid.UUID, how: str) -> AccountView:
    how = " ".join(how.split())
    if not 3 <= len(how) <= 200:
        raise DomainError(_("Say how the account was verified (3 to 200 characters)."))
    account = await _get(session, account_id)
    account.verified_at, account.verified_how = datetime.now(UTC), how
    session.add(account)
    await session.flush()
    await record(session, actor=actor, action="account.verified", subject=f"account:{account_id}",
                 data={"how": how})
    return await account_view(session, account)
