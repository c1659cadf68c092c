"""A voter roll at city scale: checked rows COPYed into a staging table, merged into the roll by set statements."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ballots.roll_csv import Rejected, RollEntry, disagreements, stream_roll
from voting.database import transaction_driver
from voting.i18n import gettext as _

__all__ = ["Merged", "TWO_ENTRIES", "merge_staged", "PROGRESS_EVERY"]

PROGRESS_EVERY = 20_000
_COLUMNS = ("line", "email", "external_id", "birth_date", "neighbourhood_id")


def TWO_ENTRIES() -> str:  # noqa: N802 - a message, translated when it is used
    return _("its e-mail and its external id belong to two different entries of the roll")


@dataclass
class Merged:
    """What the set statements did, the rejected rows, and the entries left to apply one by one in file order."""

    added: int = 0
    updated: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    one_by_one: list[RollEntry] = field(default_factory=list)


def _records(lines: Iterable[str], hoods: Mapping[str, int], today: date, rejected: list[Rejected],
             progress: Callable[[int], None] | None) -> Iterator[tuple[Any, ...]]:
    count = 0
    for item in stream_roll(lines, hoods, today):
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
        if isinstance(item, Rejected):
            rejected.append(item)
        else:
            yield item.line, item.email, item.external_id, item.birth_date, item.neighbourhood_id
    if progress is not None:
        progress(count)


def _entry(row: Any) -> RollEntry:
    return RollEntry(row["line"], row["email"], row["external_id"], row["birth_date"], row["neighbourhood_id"])


_SHARED_KEYS = """
SELECT line, email, external_id, birth_date, neighbourhood_id FROM roll_staging
 WHERE email IN (SELECT email FROM roll_staging WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1)
    OR external_id IN (SELECT external_id FROM roll_staging WHERE external_id IS NOT NULL
                        GROUP BY external_id HAVING count(*) > 1)
 ORDER BY line"""
_MATCH = """
CREATE TEMP TABLE roll_matched ON COMMIT DROP AS
SELECT s.line, e.id AS by_email, x.id AS by_external
  FROM roll_staging s
  LEFT JOIN voter_roll_entry e ON e.ballot_id = $1 AND e.email = s.email
  LEFT JOIN voter_roll_entry x ON x.ballot_id = $1 AND x.external_id = s.external_id
 WHERE e.id IS NOT NULL OR x.id IS NOT NULL"""
_SHARED_MATCHES = """
WITH ids AS (SELECT line, by_email AS id FROM roll_matched WHERE by_email IS NOT NULL
             UNION ALL
             SELECT line, by_external FROM roll_matched
              WHERE by_external IS NOT NULL AND by_external IS DISTINCT FROM by_email)
SELECT DISTINCT line FROM ids WHERE id IN (SELECT id FROM ids GROUP BY id HAVING count(*) > 1)"""
_UPDATE = """
UPDATE voter_roll_entry v
   SET email = coalesce(s.email, v.email), external_id = coalesce(s.external_id, v.external_id),
       birth_date = coalesce(s.birth_date, v.birth_date),
       neighbourhood_id = coalesce(s.neighbourhood_id, v.neighbourhood_id)
  FROM roll_staging s JOIN roll_matched m ON m.line = s.line
 WHERE v.id = coalesce(m.by_email, m.by_external)"""
_INSERT = """
INSERT INTO voter_roll_entry (ballot_id, email, external_id, birth_date, neighbourhood_id)
SELECT $1, s.email, s.external_id, s.birth_date, s.neighbourhood_id FROM roll_staging s
 WHERE NOT EXISTS (SELECT 1 FROM roll_matched m WHERE m.line = s.line)
 ORDER BY s.line"""


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


async def merge_staged(session: AsyncSession, ballot_id: int, lines: Iterable[str], hoods: Mapping[str, int],
                       today: date, progress: Callable[[int], None] | None = None) -> Merged:
    """Read, check and COPY the rows, then merge them as the row-by-row import would have, in the caller's
    transaction.

    A row is merged by set statements when its outcome cannot depend on another row: its e-mail and external
    id appear on no other row of the file, and the stored entries it matches are matched by no other row.
    The other rows (a few, in real files) come back in ``one_by_one``, in file order, for the caller.
    """
    await session.flush()
    driver = await transaction_driver(session)
    merged = Merged()
    await driver.execute("DROP TABLE IF EXISTS roll_staging, roll_matched")
    await driver.execute("CREATE TEMP TABLE roll_staging (line integer NOT NULL, email text, external_id text, "
                         "birth_date date, neighbourhood_id integer) ON COMMIT DROP")
    await driver.copy_records_to_table("roll_staging", columns=list(_COLUMNS),
                                       records=_records(lines, hoods, today, merged.rejected, progress))
    shared = [_entry(row) for row in await driver.fetch(_SHARED_KEYS)]
    refused = disagreements(shared)
    merged.rejected += [Rejected(line, reason) for line, reason in refused.items()]
    later = {entry.line for entry in shared if entry.line not in refused}
    if refused:
        await driver.execute("DELETE FROM roll_staging WHERE line = any($1::integer[])", list(refused))
    await driver.execute("ANALYZE roll_staging")
    await driver.execute(_MATCH, ballot_id)
    later |= {row["line"] for row in await driver.fetch(_SHARED_MATCHES)}
    if later:
        merged.one_by_one = [_entry(row) for row in await driver.fetch(
            "DELETE FROM roll_staging WHERE line = any($1::integer[]) RETURNING *", list(later))]
        merged.one_by_one.sort(key=lambda entry: entry.line)
    two = await driver.fetch("DELETE FROM roll_staging s USING roll_matched m WHERE m.line = s.line "
                             "AND m.by_email <> m.by_external RETURNING s.line")
    merged.rejected += [Rejected(row["line"], TWO_ENTRIES()) for row in two]
    merged.updated = _count(await driver.execute(_UPDATE))
    merged.added = _count(await driver.execute(_INSERT, ballot_id))
    await driver.execute("DROP TABLE roll_staging, roll_matched")
    return merged
