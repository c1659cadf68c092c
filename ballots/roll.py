"""Importing a ballot's voter roll from CSV: add or update entries, report the rejected rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from ballots.errors import ForbiddenTransition
from ballots.lifecycle import effective_status
from ballots.models import VoterRollEntry
from ballots.roll_copy import TWO_ENTRIES, merge_staged
from ballots.roll_csv import Rejected, RollEntry
from ballots.service import actor_of, ensure_manager, load_ballot, window_of
from voting.audit.service import record
from voting.csvfiles import text_lines
from voting.i18n import gettext as _
from voting.models import Neighbourhood

__all__ = ["RollImport", "import_roll", "import_roll_lines", "roll_size"]


@dataclass(frozen=True)
class RollImport:
    ballot_id: int
    accepted: int
    added: int
    updated: int
    rejected: list[Rejected]


async def _hoods(session: AsyncSession) -> dict[str, int]:
    names: dict[str, int] = {}
    for hood in (await session.exec(select(Neighbourhood))).all():
        assert hood.id is not None
        for key in (hood.slug, hood.name_fr, hood.name_en, str(hood.id)):
            names[key.lower()] = hood.id
    return names


async def import_roll(session: AsyncSession, principal: Principal | None, ballot_id: int, csv_text: str,
                      now: datetime | None = None, actor: str | None = None) -> RollImport:
    """Entries are matched by email or external id and updated; a roll never shrinks once voting may start."""
    return await import_roll_lines(session, principal, ballot_id, text_lines(csv_text), now, actor)


async def import_roll_lines(session: AsyncSession, principal: Principal | None, ballot_id: int,
                            lines: Iterable[str], now: datetime | None = None, actor: str | None = None,
                            progress: Callable[[int], None] | None = None) -> RollImport:
    """:func:`import_roll` from physical lines read as they come (a file of a million rows is never held whole):
    the checked rows are copied into a staging table, then merged into the roll by a few set statements; the
    rare rows whose outcome depends on the order of the file are applied one by one, in file order, as before.
    ``progress`` is told the number of rows read every few thousand rows."""
    now = now or datetime.now(UTC)
    ballot = await load_ballot(session, ballot_id)
    if principal is not None:  # None: the operator, on the command line
        ensure_manager(principal, ballot)
    if effective_status(window_of(ballot), now) not in ("draft", "open"):
        raise ForbiddenTransition(_("The voter roll can only change before the ballot closes."))
    merged = await merge_staged(session, ballot_id, lines, await _hoods(session), now.date(), progress)
    added, updated, rejected = merged.added, merged.updated, list(merged.rejected)
    for entry in merged.one_by_one:
        rows = await _stored(session, ballot_id, entry)
        if len(rows) > 1:
            rejected.append(Rejected(entry.line, TWO_ENTRIES()))
            continue
        row = rows[0] if rows else None
        if row is None:
            row = VoterRollEntry(ballot_id=ballot_id, email=entry.email, external_id=entry.external_id)
            added += 1
        else:
            updated += 1
        row.email = entry.email or row.email
        row.external_id = entry.external_id or row.external_id
        row.birth_date = entry.birth_date or row.birth_date
        row.neighbourhood_id = entry.neighbourhood_id or row.neighbourhood_id
        session.add(row)
        await session.flush()
    await record(session, actor=actor or (actor_of(principal) if principal else "cli"),
                 action="ballot.roll_imported", subject=f"ballot:{ballot_id}",
                 data={"added": added, "updated": updated, "rejected": len(rejected)})
    return RollImport(ballot_id, added + updated, added, updated, sorted(rejected, key=lambda r: r.line))


async def _stored(session: AsyncSession, ballot_id: int, entry: RollEntry) -> list[VoterRollEntry]:
    """The stored entries with the entry's e-mail or external id: none, one, or (a conflict) two."""
    from sqlalchemy import or_

    keys: list[Any] = []
    if entry.email:
        keys.append(VoterRollEntry.email == entry.email)
    if entry.external_id:
        keys.append(VoterRollEntry.external_id == entry.external_id)
    return list((await session.exec(select(VoterRollEntry).where(VoterRollEntry.ballot_id == ballot_id,
                                                                 or_(*keys)).limit(2))).all())


async def roll_size(session: AsyncSession, ballot_id: int) -> int:
    from sqlalchemy import func

    return int((await session.exec(select(func.count()).select_from(VoterRollEntry)
                                   .where(VoterRollEntry.ballot_id == ballot_id))).one())
