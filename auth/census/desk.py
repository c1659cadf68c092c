"""The verification desk: a moderator finds an account, checks an ID in person and records the residence."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.census.rules import age_on, birth_date_problem, parse_birth_date
from auth.models import Account
from auth.principal import Principal, can_moderate
from voting.audit.service import record
from voting.domain import Forbidden, Invalid, NotFound
from voting.i18n import gettext as _
from voting.models import Neighbourhood

__all__ = ["DeskAccount", "MIN_QUERY", "desk_neighbourhoods", "desk_search", "desk_account", "record_at_desk"]

MIN_QUERY = 3


@dataclass(frozen=True)
class DeskAccount:
    id: uuid.UUID
    email: str
    display_name: str
    email_confirmed: bool
    neighbourhood: Neighbourhood | None
    birth_date: date | None
    age: int | None
    verified_how: str | None
    verified_at: datetime | None


def _ensure_desk(principal: Principal) -> None:
    if not (principal.is_admin or "moderator" in principal.roles):
        raise Forbidden(_("Only moderators and administrators work at the verification desk."))


async def _view(session: AsyncSession, account: Account) -> DeskAccount:
    hood = await session.get(Neighbourhood, account.neighbourhood_id) if account.neighbourhood_id else None
    return DeskAccount(account.id, account.email, account.display_name, account.email_confirmed_at is not None,
                       hood, account.birth_date, age_on(account.birth_date, datetime.now(UTC).date()),
                       account.verified_how, account.verified_at)


async def desk_neighbourhoods(session: AsyncSession, principal: Principal) -> list[Neighbourhood]:
    """Where this person may record a residence: a moderator's own neighbourhoods, every one for an admin."""
    hoods = (await session.exec(select(Neighbourhood).where(col(Neighbourhood.retired_at).is_(None))
                                .order_by(col(Neighbourhood.slug)))).all()
    return [hood for hood in hoods if can_moderate(principal, hood.id)]


async def desk_search(session: AsyncSession, principal: Principal, query: str, limit: int = 20) -> list[DeskAccount]:
    """Active accounts whose email or name contains ``query`` (at least three characters)."""
    _ensure_desk(principal)
    query = query.strip().lower()
    if len(query) < MIN_QUERY:
        return []
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    accounts = (await session.exec(select(Account).where(
        col(Account.is_active).is_(True),
        or_(func.lower(Account.email).like(pattern, escape="\\"),
            func.lower(Account.display_name).like(pattern, escape="\\"))).order_by(col(Account.email))
        .limit(limit))).all()
    return [await _view(session, account) for account in accounts]


async def desk_account(session: AsyncSession, principal: Principal, account_id: uuid.UUID) -> DeskAccount:
    _ensure_desk(principal)
    account = await session.get(Account, account_id)
    if account is None or not account.is_active:
        raise NotFound(_("Unknown account."))
    return await _view(session, account)


async def record_at_desk(session: AsyncSession, principal: Principal, *, account_id: uuid.UUID, neighbourhood: str,
                         birth_date: str, id_checked: bool) -> DeskAccount:
    """Record a residence and birth date seen on an identity document shown in person (``verified_how="desk"``).

    Audited with the moderator and the neighbourhood (their scope), never the document or the birth date."""
    _ensure_desk(principal)
    if not id_checked:
        raise Invalid(_("Check an identity document in person, then tick the box that says so."))
    account = await session.get(Account, account_id)
    if account is None or not account.is_active:
        raise NotFound(_("Unknown account."))
    if account.id == principal.id:
        raise Forbidden(_("Nobody verifies their own residence: ask another moderator."))
    hood = (await session.exec(select(Neighbourhood).where(Neighbourhood.slug == neighbourhood.strip()))).first()
    if hood is None or hood.retired_at is not None:
        raise Invalid(_("Choose a neighbourhood of the city."))
    if not can_moderate(principal, hood.id):
        raise Forbidden(_("You can record residences only in your own neighbourhoods."))
    born = parse_birth_date(birth_date)
    if problem := birth_date_problem(born, datetime.now(UTC).date()):
        raise Invalid(_("Birth date: {problem}.").format(problem=problem))
    account.neighbourhood_id, account.birth_date = hood.id, born
    account.verified_at, account.verified_how = datetime.now(UTC), "desk"
    session.add(account)
    await session.flush()
    await record(session, actor=f"account:{principal.id}", action="desk.verified", subject=f"account:{account.id}",
                 data={"how": "desk", "neighbourhood": hood.slug, "id_checked_in_person": True})
    return await _view(session, account)
