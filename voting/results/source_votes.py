"""An imported election's VOTES rows as its file wrote them (voter ids, age, sex, voting method...), kept at import
and written back by the export when they hold exactly the votes counted.

Secrecy: these rows are public data of the source file, and only the Pabulib import stores them
(``voting.results.importer``, table ``ballot_source_votes``); online and paper votes never get such columns:
their export lists them shuffled under random ids (``voting.results.exports``). By default the import keeps only
the columns Pabulib's format defines (:data:`PABULIB_VOTE_COLUMNS`): a file's own extra columns (a survey's
answers, or names a private file should never have held) are dropped unless the importer asks to keep them.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from collections.abc import Iterable, Sequence

from voting.tally import PabulibFile, VoteType

__all__ = ["PABULIB_VOTE_COLUMNS", "VotesTable", "outside_pabulib", "pabulib_columns_only", "pack_votes",
           "same_votes", "unpack_votes"]

VotesTable = tuple[list[str], list[tuple[str, ...]]]
"""A VOTES section: its columns and its rows."""

PABULIB_VOTE_COLUMNS = ("voter_id", "vote", "points", "age", "sex", "voting_method", "district", "neighborhood",
                        "education")
"""The VOTES columns Pabulib's format defines (pabulib-checker's ``VOTES_FIELDS_ORDER`` without the fields of one
city's survey)."""


def outside_pabulib(columns: Sequence[str]) -> list[str]:
    """The VOTES columns Pabulib's format does not define, in the file's order (what the import drops by default)."""
    return [name for name in columns if name not in PABULIB_VOTE_COLUMNS]


def pabulib_columns_only(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> tuple[VotesTable, list[str]]:
    """The VOTES section with only Pabulib's own columns (in the file's order), and the names of those dropped."""
    dropped = outside_pabulib(columns)
    if not dropped:
        return (list(columns), [tuple(row) for row in rows]), []
    kept = [n for n, name in enumerate(columns) if name in PABULIB_VOTE_COLUMNS]
    return ([columns[n] for n in kept], [tuple(row[n] for n in kept if n < len(row)) for row in rows]), dropped


def pack_votes(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """The VOTES section as gzipped ``;`` CSV (header first)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return gzip.compress(out.getvalue().encode(), compresslevel=6, mtime=0)


def unpack_votes(data: bytes) -> VotesTable:
    reader = csv.reader(io.StringIO(gzip.decompress(data).decode()), delimiter=";")
    columns = next(reader)
    return columns, [tuple(row) for row in reader]


def _key(row: Sequence[str], vote: int, points: int | None, vote_type: VoteType) -> tuple[object, ...]:
    ids = [p.strip() for p in row[vote].split(",") if p.strip()] if vote < len(row) else []
    if points is not None:
        given = [int(n) for n in row[points].split(",") if n.strip()] if points < len(row) else []
        return tuple(sorted((p, n) for p, n in zip(ids, given, strict=False) if n))
    return tuple(ids) if vote_type is VoteType.ORDINAL else tuple(sorted(ids))


def _keys(columns: Sequence[str], rows: Iterable[Sequence[str]], vote_type: VoteType) -> Counter[tuple[object, ...]]:
    vote = columns.index("vote") if "vote" in columns else 1
    points = columns.index("points") if vote_type is VoteType.CUMULATIVE and "points" in columns else None
    return Counter(_key(row, vote, points, vote_type) for row in rows)


def same_votes(table: VotesTable, counted: PabulibFile, vote_type: VoteType) -> bool:
    """Whether the source's rows hold exactly the votes the export counted (as multisets; a ranking in order)."""
    columns, rows = table
    if len(rows) != len(counted.votes) or "voter_id" not in columns:
        return False
    try:
        return _keys(columns, rows, vote_type) == _keys(counted.vote_columns, counted.votes, vote_type)
    except ValueError:
        return False

