"""Census use cases: import the whole census and verify the accounts it matches (``verify_from_census`` too)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import delete, func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.census.key import census_key
from auth.census.matching import Outcome, apply_match, match_census, verify_from_census
from auth.census.models import CensusClaim, CensusEntry, CensusImport
from auth.census.rules import HoodIndex, RowProblem, key_fingerprint
from auth.census.staging import stage_census, store_staged
from auth.models import Account
from voting.audit.service import record
from voting.csvfiles import text_lines
from voting.domain import DomainError
from voting.i18n import gettext as _
from voting.models import Neighbourhood

__all__ = ["CensusFileError", "ImportReport", "Outcome", "CENSUS_COLUMNS", "decode_census", "import_census",
           "import_census_lines",
           "last_import", "census_size", "key_changed_since", "verify_from_census", "match_census"]

CENSUS_COLUMNS = [["email", "document_id"], ["birth_date"], ["postcode", "neighbourhood"]]
MAX_ROWS = 2_000_000


class CensusFileError(DomainError):
    """A census file that cannot replace the census (unreadable, or no row to store); the census is unchanged."""

    status_code = 400


@dataclass(frozen=True)
class ImportReport:
    import_id: int
    imported_at: datetime
    imported_by: str
    rows_read: int
    rows_stored: int
    rejected: list[RowProblem] = field(default_factory=list)
    accounts_verified: int = 0
    accounts_updated: int = 0


def decode_census(data: bytes) -> str:
    """The uploaded bytes as text (UTF-8, with or without a byte-order mark)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CensusFileError(_("The census file is not UTF-8 text (byte {offset}); the census is unchanged.")
                              .format(offset=error.start)) from error


async def _hood_index(session: AsyncSession) -> HoodIndex:
    by_slug: dict[str, int] = {}
    retired: set[str] = set()
    by_postcode: dict[str, list[str]] = {}
    for hood in (await session.exec(select(Neighbourhood))).all():
        assert hood.id is not None
        if hood.retired_at is not None:
            retired.add(hood.slug)
            continue
        by_slug[hood.slug] = hood.id
        for postcode in hood.postcodes or []:
            by_postcode.setdefault("".join(postcode.split()), []).append(hood.slug)
    return HoodIndex(by_slug, frozenset(retired), by_postcode)


def _problems(rejected: list[RowProblem]) -> list[dict[str, object]]:
    return [{"line": problem.line, "reason": problem.reason} for problem in sorted(rejected, key=lambda p: p.line)]


async def import_census(session: AsyncSession, csv_text: str, *, actor: str, key: bytes | None = None,
                        today: date | None = None) -> ImportReport:
    """Replace the whole census in the caller's transaction, then verify the accounts it matches.

    Nothing changes when the file cannot be read or has no row to store (``CensusFileError``, with the
    rejected rows in ``extra``); on any error the transaction rolls back and the old census stays whole.
    """
    return await import_census_lines(session, text_lines(csv_text), actor=actor, key=key, today=today)


async def import_census_lines(session: AsyncSession, lines: Iterable[str], *, actor: str, key: bytes | None = None,
                              today: date | None = None,
                              progress: Callable[[int], None] | None = None) -> ImportReport:
    """:func:`import_census` from physical lines read as they come: rows are checked and COPYed into a staging
    table as they are read (a city's census is never held whole), then moved into the census in one statement."""
    key = key or census_key()
    today = today or datetime.now(UTC).date()
    staged = await stage_census(session, lines, columns=CENSUS_COLUMNS, hoods=await _hood_index(session), key=key,
                                today=today, max_rows=MAX_ROWS, progress=progress)
    reason = staged.error or (_("the file has more than {limit} rows").format(limit=MAX_ROWS)
                              if staged.too_many else None)
    if reason:
        raise CensusFileError(_("The census file cannot be used ({reason}); the census is unchanged.")
                              .format(reason=reason))
    rejected = staged.rejected
    if not staged.rows_kept:
        raise CensusFileError(_("No row of the census file can be stored; the census is unchanged."),
                              extra={"rejected": _problems(rejected)})
    await session.exec(text("LOCK TABLE census_entry IN EXCLUSIVE MODE"))  # type: ignore[call-overload]
    run = CensusImport(imported_by=actor[:200], rows_read=staged.rows_read, rows_stored=staged.rows_kept,
                       rows_rejected=len(rejected), accounts_verified=0, accounts_updated=0,
                       key_fingerprint=key_fingerprint(key), rejected=_problems(rejected),
                       imported_at=datetime.now(UTC))
    session.add(run)
    await session.flush()
    assert run.id is not None
    await session.exec(delete(CensusEntry))  # type: ignore[call-overload]
    await store_staged(session, run.id)
    await record(session, actor=actor, action="census.imported", subject=f"census_import:{run.id}",
                 data={"rows_read": run.rows_read, "rows_stored": run.rows_stored, "rows_rejected": run.rows_rejected})
    run.accounts_updated = await _reverify_claimed(session, key, actor)
    run.accounts_verified = await _verify_by_email(session, key, actor)
    session.add(run)
    await session.flush()
    if run.accounts_verified or run.accounts_updated:
        await record(session, actor=actor, action="census.accounts_matched", subject=f"census_import:{run.id}",
                     data={"verified": run.accounts_verified, "updated": run.accounts_updated})
    assert run.imported_at is not None
    return ImportReport(run.id, run.imported_at, run.imported_by, run.rows_read, run.rows_stored,
                        sorted(rejected, key=lambda p: p.line), run.accounts_verified, run.accounts_updated)


async def last_import(session: AsyncSession) -> CensusImport | None:
    return (await session.exec(select(CensusImport).order_by(col(CensusImport.id).desc()).limit(1))).first()


async def census_size(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(CensusEntry))).one())


def key_changed_since(run: CensusImport, key: bytes | None = None) -> bool:
    """Whether the instance key changed since this import: its document hashes no longer match anything typed."""
    return run.key_fingerprint != key_fingerprint(key or census_key())


async def _verify_by_email(session: AsyncSession, key: bytes, actor: str) -> int:
    """Confirmed, active, unverified accounts whose address is on the new census."""
    pairs = (await session.exec(select(Account, CensusEntry).join(
        CensusEntry, col(CensusEntry.email) == func.lower(Account.email)).where(
        col(Account.verified_at).is_(None), col(Account.email_confirmed_at).is_not(None),
        col(Account.is_active).is_(True)).order_by(col(Account.email)))).all()
    outcomes = [await apply_match(session, key, account, entry, actor=actor, matched_by="email")
                for account, entry in pairs]
    return outcomes.count("verified")


async def _reverify_claimed(session: AsyncSession, key: bytes, actor: str) -> int:
    """Accounts the census verified follow their row in the new census (a move, a corrected birth date);
    an account whose row is gone stays as it is, its past participation untouched."""
    by_email = (await session.exec(select(Account, CensusEntry).join(
        CensusEntry, col(CensusEntry.email) == func.lower(Account.email)).where(
        Account.verified_how == "census"))).all()
    by_document = (await session.exec(select(Account, CensusEntry).join(
        CensusClaim, col(CensusClaim.account_id) == col(Account.id)).join(
        CensusEntry, col(CensusEntry.document_hash) == col(CensusClaim.key_hash)).where(
        Account.verified_how == "census"))).all()
    rows = {account.id: (account, entry) for account, entry in [*by_email, *by_document]}  # the document wins
    updated = 0
    for account, entry in rows.values():
        changed = [name for name, old, new in (("neighbourhood", account.neighbourhood_id, entry.neighbourhood_id),
                                               ("birth_date", account.birth_date, entry.birth_date)) if old != new]
        if not changed:
            continue
        account.neighbourhood_id, account.birth_date = entry.neighbourhood_id, entry.birth_date
        session.add(account)
        await session.flush()
        updated += 1
        await record(session, actor=actor, action="census.reverified", subject=f"account:{account.id}",
                     data={"changed": changed})
    return updated
