"""Matching one account against the census: by e-mail, by a document id, or by one typed at registration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.census.key import census_key
from auth.census.models import CensusClaim, CensusEntry, CensusPending
from auth.census.rules import document_problem, keyed_hash, normalise_document
from auth.models import Account
from voting.audit.service import record

__all__ = ["Outcome", "apply_match", "match_census", "verify_from_census"]

Outcome = Literal["verified", "no_match", "claimed", "pending", "not_eligible"]


def _entry_keys(key: bytes, entry: CensusEntry) -> list[str]:
    keys = [keyed_hash(key, "email", entry.email)] if entry.email else []
    return keys + ([entry.document_hash] if entry.document_hash else [])


async def _claimed_by_other(session: AsyncSession, keys: list[str], account: Account) -> bool:
    """A deleted account's claims no longer count: its resident may verify a new account."""
    owners = (await session.exec(select(CensusClaim.account_id).join(
        Account, col(Account.id) == col(CensusClaim.account_id)).where(
        col(CensusClaim.key_hash).in_(keys), col(Account.deleted_at).is_(None)))).all()
    return any(owner != account.id for owner in owners)


async def apply_match(session: AsyncSession, key: bytes, account: Account, entry: CensusEntry, *, actor: str,
                 matched_by: str) -> Outcome:
    keys = _entry_keys(key, entry)
    if await _claimed_by_other(session, keys, account):
        return "claimed"
    account.neighbourhood_id, account.birth_date = entry.neighbourhood_id, entry.birth_date
    account.verified_at, account.verified_how = datetime.now(UTC), "census"
    session.add(account)
    mine = set((await session.exec(select(CensusClaim.key_hash).where(CensusClaim.account_id == account.id))).all())
    for key_hash in keys:
        if key_hash not in mine:
            session.add(CensusClaim(key_hash=key_hash, account_id=account.id, claimed_at=datetime.now(UTC)))
    await session.flush()
    await record(session, actor=actor, action="census.verified", subject=f"account:{account.id}",
                 data={"how": "census", "matched_by": matched_by})
    return "verified"


async def _entry_by_document(session: AsyncSession, document_hash: str, born: date | None) -> CensusEntry | None:
    entry = (await session.exec(select(CensusEntry).where(CensusEntry.document_hash == document_hash))).first()
    return entry if entry is not None and (born is None or entry.birth_date == born) else None


async def match_census(session: AsyncSession, account: Account, document_id: str | None = None, *,
                       birth_date: date | None = None, key: bytes | None = None,
                       actor: str | None = None) -> Outcome:
    """Verify ``account`` from the census and say how it went (see ``verify_from_census``)."""
    if account.verified_at is not None or not account.is_active:
        if (stale := await session.get(CensusPending, account.id)) is not None:  # verified another way meanwhile
            await session.delete(stale)
            await session.flush()
        return "not_eligible"
    key = key or census_key()
    actor = actor or f"account:{account.id}"
    document_hash = None
    if document_id is not None:
        document = normalise_document(document_id)
        if document_problem(document):
            return "no_match"
        document_hash = keyed_hash(key, "document", document)
    if account.email_confirmed_at is None:
        if document_hash is None:
            return "not_eligible"
        waiting = await session.get(CensusPending, account.id) or CensusPending(account_id=account.id,
                                                                                document_hash=document_hash)
        waiting.document_hash, waiting.birth_date = document_hash, birth_date
        session.add(waiting)
        await session.flush()
        return "pending"
    entry, matched_by = None, "document"
    if document_hash is not None:
        entry = await _entry_by_document(session, document_hash, birth_date)
    else:
        pending = await session.get(CensusPending, account.id)
        if pending is not None:
            entry = await _entry_by_document(session, pending.document_hash, pending.birth_date)
            await session.delete(pending)
            await session.flush()
        if entry is None:
            matched_by = "email"
            entry = (await session.exec(select(CensusEntry).where(
                CensusEntry.email == account.email.strip().lower()))).first()
    if entry is None:
        return "no_match"
    return await apply_match(session, key, account, entry, actor=actor, matched_by=matched_by)


async def verify_from_census(session: AsyncSession, account: Account, document_id: str | None = None, *,
                             birth_date: date | None = None, key: bytes | None = None) -> bool:
    """Verify a confirmed account whose census row matches; return whether it verified.

    Without ``document_id`` the match is by e-mail (or by a document typed at registration). A document id is
    normalised and hashed with the instance's key, never stored in clear; typed before the address is confirmed,
    its keyed hash waits in ``census_pending`` for the confirmation, which calls this again without it. Sets the
    neighbourhood, birth date, ``verified_at`` and ``verified_how="census"``, audited without personal data.
    """
    return await match_census(session, account, document_id, birth_date=birth_date, key=key) == "verified"
