"""A census at city scale: checked rows COPYed into a staging table as they are read, duplicates refused there."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.census.rules import CensusRow, HoodIndex, RowProblem, refuse_duplicates, validate_row
from voting.csvfiles import Rejected, stream_table
from voting.database import transaction_driver

__all__ = ["Staged", "stage_census", "store_staged", "PROGRESS_EVERY"]

PROGRESS_EVERY = 20_000
_COLUMNS = ("line", "email", "document_hash", "birth_date", "neighbourhood_id")
_SHARED = """
SELECT line, email, document_hash, birth_date, neighbourhood_id FROM census_staging
 WHERE email IN (SELECT email FROM census_staging WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1)
    OR document_hash IN (SELECT document_hash FROM census_staging WHERE document_hash IS NOT NULL
                          GROUP BY document_hash HAVING count(*) > 1)
 ORDER BY line"""


@dataclass
class Staged:
    """The file as read: its header's error, rows read, rows kept in the staging table, the rejected rows."""

    error: str | None = None
    rows_read: int = 0
    rows_kept: int = 0
    too_many: bool = False
    rejected: list[RowProblem] = field(default_factory=list)


async def stage_census(session: AsyncSession, lines: Iterable[str], *, columns: list[list[str]], hoods: HoodIndex,
                       key: bytes, today: date, max_rows: int,
                       progress: Callable[[int], None] | None = None) -> Staged:
    """Check each row as it is read and COPY the valid ones into ``census_staging`` (dropped at commit), then
    refuse the duplicates as :func:`refuse_duplicates` does on the whole file (only rows sharing a key matter)."""
    staged = Staged()
    table, items = stream_table(lines, required=columns, max_field=254)
    if table.error:
        staged.error = table.error
        return staged

    def records() -> Iterable[tuple[Any, ...]]:
        for item in items:
            staged.rows_read += 1
            if staged.rows_read > max_rows:
                staged.too_many = True
                return
            if progress is not None and staged.rows_read % PROGRESS_EVERY == 0:
                progress(staged.rows_read)
            if isinstance(item, Rejected):
                staged.rejected.append(RowProblem(item.line, item.reason))
                continue
            checked = validate_row(item.line, item.values, hoods, key, today)
            if isinstance(checked, str):
                staged.rejected.append(RowProblem(item.line, checked))
            else:
                yield checked.line, checked.email, checked.document_hash, checked.birth_date, checked.neighbourhood_id
        if progress is not None:
            progress(staged.rows_read)

    await session.flush()
    driver = await transaction_driver(session)
    await driver.execute("DROP TABLE IF EXISTS census_staging")
    await driver.execute("CREATE TEMP TABLE census_staging (line integer NOT NULL, email text, document_hash text, "
                         "birth_date date NOT NULL, neighbourhood_id integer NOT NULL) ON COMMIT DROP")
    await driver.copy_records_to_table("census_staging", columns=list(_COLUMNS), records=records())
    if staged.too_many:
        return staged
    shared = [CensusRow(row["line"], row["email"], row["document_hash"], row["birth_date"], row["neighbourhood_id"])
              for row in await driver.fetch(_SHARED)]
    _, problems = refuse_duplicates(shared)
    if problems:
        staged.rejected += problems
        await driver.execute("DELETE FROM census_staging WHERE line = any($1::integer[])",
                             [problem.line for problem in problems])
    staged.rows_kept = int(await driver.fetchval("SELECT count(*) FROM census_staging"))
    return staged


async def store_staged(session: AsyncSession, import_id: int) -> int:
    """Move the staged rows into ``census_entry`` under ``import_id``, in file order; how many."""
    driver = await transaction_driver(session)
    status = await driver.execute(
        "INSERT INTO census_entry (import_id, email, document_hash, birth_date, neighbourhood_id) "
        "SELECT $1, email, document_hash, birth_date, neighbourhood_id FROM census_staging ORDER BY line", import_id)
    await driver.execute("DROP TABLE census_staging")
    return int(status.rsplit(" ", 1)[-1])
