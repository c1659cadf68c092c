"""A resident's own residence: what the city holds, and checking it against the census with a document id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.census.matching import match_census
from auth.census.models import ResidenceAttempt
from auth.census.rules import (
    SELF_CHECK_WINDOW,
    age_on,
    document_problem,
    normalise_document,
    parse_birth_date,
    retry_after,
    tries_left,
)
from auth.models import Account
from voting.audit.service import record
from voting.domain import Conflict, DomainError, Forbidden, Invalid, NotFound
from voting.i18n import gettext as _
from voting.i18n import ngettext
from voting.models import Neighbourhood

__all__ = ["Residence", "ResidenceRefused", "TooManyTries", "residence_of", "check_residence"]


class ResidenceRefused(DomainError):
    """The census does not confirm what the resident typed; the failed try it recorded is kept."""

    status_code = 400
    commit_before_raise = True


class TooManyTries(DomainError):
    status_code = 429

    def __init__(self, seconds: int) -> None:
        minutes = max(1, (seconds + 59) // 60)
        super().__init__(ngettext("Too many tries: try again in {minutes} minute.",
                                  "Too many tries: try again in {minutes} minutes.", minutes).format(minutes=minutes),
                         extra={"retry_after": seconds})


@dataclass(frozen=True)
class Residence:
    account_id: uuid.UUID
    email_confirmed: bool
    verified: bool
    verified_how: str | None
    verified_at: datetime | None
    neighbourhood: Neighbourhood | None
    birth_date: date | None
    age: int | None
    tries_left: int


async def _account(session: AsyncSession, account_id: uuid.UUID) -> Account:
    account = await session.get(Account, account_id)
    if account is None or not account.is_active:
        raise NotFound(_("Unknown account."))
    return account


async def _failures(session: AsyncSession, account_id: uuid.UUID, now: datetime) -> list[datetime]:
    return list((await session.exec(select(ResidenceAttempt.at).where(
        ResidenceAttempt.account_id == account_id, col(ResidenceAttempt.at) > now - SELF_CHECK_WINDOW))).all())


async def residence_of(session: AsyncSession, account_id: uuid.UUID, now: datetime | None = None) -> Residence:
    now = now or datetime.now(UTC)
    account = await _account(session, account_id)
    hood = await session.get(Neighbourhood, account.neighbourhood_id) if account.neighbourhood_id else None
    return Residence(account.id, account.email_confirmed_at is not None, account.verified_at is not None,
                     account.verified_how, account.verified_at, hood, account.birth_date,
                     age_on(account.birth_date, now.date()), tries_left(await _failures(session, account.id, now), now))


async def check_residence(session: AsyncSession, account_id: uuid.UUID, *, document_id: str, birth_date: str,
                          now: datetime | None = None, key: bytes | None = None) -> Residence:
    """Match the typed document id and birth date against the census; success verifies the account.

    A failure says so without telling what the census holds, counts against the account's tries (5 an hour)
    and is audited without the document id."""
    now = now or datetime.now(UTC)
    account = await _account(session, account_id)
    if account.verified_at is not None:
        raise Conflict(_("Your residence is already verified; after a move, go to a verification desk."))
    if account.email_confirmed_at is None:
        raise Forbidden(_("Confirm your email address first: follow the link in the mail we sent you."))
    failures = await _failures(session, account.id, now)
    if wait := retry_after(failures, now):
        raise TooManyTries(wait)
    born = parse_birth_date(birth_date)
    if born is None or born > now.date():
        raise Invalid(_("Enter your birth date as YYYY-MM-DD or DD/MM/YYYY."))
    if document_problem(normalise_document(document_id)):
        raise Invalid(_("Enter the number of your identity document: 4 to 40 letters and digits."))
    outcome = await match_census(session, account, document_id, birth_date=born, key=key)
    if outcome == "verified":
        return await residence_of(session, account.id, now)
    session.add(ResidenceAttempt(account_id=account.id, at=now))
    await session.flush()
    await record(session, actor=f"account:{account.id}", action="census.self_check_failed",
                 subject=f"account:{account.id}", data={"reason": outcome})
    left = tries_left([*failures, now], now)
    if outcome == "claimed":
        raise ResidenceRefused(_("These details already verified another account. Ask a moderator at a verification "
                                 "desk."), extra={"tries_left": left})
    raise ResidenceRefused(ngettext(
        "These details do not match the census. Check them ({left} try left this hour), or ask a moderator at a "
        "verification desk.",
        "These details do not match the census. Check them ({left} tries left this hour), or ask a moderator at a "
        "verification desk.", left).format(left=left), extra={"tries_left": left})
