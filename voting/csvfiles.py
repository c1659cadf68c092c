"""Reading an uploaded CSV table strictly: one physical line per record, a bad row is rejected, never the file."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from voting.i18n import gettext as _

__all__ = ["CsvRow", "Rejected", "CsvTable", "read_table", "stream_table", "text_lines", "file_lines"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class CsvRow(NamedTuple):
    """One accepted row: its physical line (1-based) and its stripped values by lower-case column name."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class CsvTable:
    rows: list[CsvRow] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    error: str | None = None
    columns: list[str] = field(default_factory=list)


def _delimiter(header: str) -> str:
    outside = re.sub(r'"[^"]*"', "", header)
    return ";" if outside.count(";") > outside.count(",") else ","


def _cells(line: str, delimiter: str) -> list[str]:
    """One physical line as cells; ``csv.Error`` for an unterminated quote or text after a closing quote."""
    rows = list(csv.reader([line], delimiter=delimiter, strict=True))
    return rows[0] if rows else []


def _problem(line: str, delimiter: str, width: int, max_field: int) -> tuple[list[str], str | None]:
    if '"' not in line and "\x00" not in line and len(line) <= max_field:  # the common case, quickly
        cells = line.split(delimiter)
        if len(cells) == width:
            return cells, None
    if "\x00" in line:
        return [], _("the row contains a NUL byte")
    if len(line) > (max_field + 3) * width + width:
        return [], _("a field is longer than {limit} characters").format(limit=max_field)
    try:
        cells = _cells(line, delimiter)
    except csv.Error as error:
        if "field limit" in str(error):
            return [], _("a field is longer than {limit} characters").format(limit=max_field)
        if line.count('"') % 2:
            return [], _("unterminated quote")
        return [], _("badly quoted field")
    if len(cells) != width:
        return [], _("{found} fields where the header has {expected}").format(found=len(cells), expected=width)
    if any(len(cell) > max_field for cell in cells):
        return [], _("a field is longer than {limit} characters").format(limit=max_field)
    return cells, None


def text_lines(text: str) -> list[str]:
    """``text`` as physical lines (any of ``\\r\\n``, ``\\r``, ``\\n`` ends one), BOM stripped."""
    text = text.removeprefix("\ufeff")
    return _LINE_BREAK.split(text) if "\r" in text else text.split("\n")


def file_lines(stream: Iterable[str]) -> Iterator[str]:
    """The physical lines of a text file opened with ``newline=""`` (so that a lone ``\\r`` ends a line too),
    without their line breaks and the first one without its BOM: :func:`text_lines`, streamed."""
    first = True
    for line in stream:
        if first:
            line, first = line.removeprefix("\ufeff"), False
        yield line.rstrip("\r\n")


def read_table(text: str, *, required: Sequence[Sequence[str]], optional: Sequence[str] = (),
               max_field: int = 1000, max_rows: int | None = None) -> CsvTable:
    """Read ``text`` (``;`` or ``,`` sniffed from the header, BOM stripped, names case-insensitive).

    ``required`` lists groups of alternatives: ``[["email", "external_id"], ["birth_date"]]`` needs a column
    (and, on each row, a value) for email or external_id, and one for birth_date. A record is one physical
    line: a quote left open at the end of a line rejects that row, and reading goes on at the next line.
    """
    table, items = stream_table(text_lines(text), required=required, optional=optional, max_field=max_field)
    for item in items:
        if isinstance(item, Rejected):
            table.rejected.append(item)
        else:
            table.rows.append(item)
        if max_rows is not None and len(table.rows) + len(table.rejected) > max_rows:
            table.error = _("the file has more than {limit} rows").format(limit=max_rows)
            table.rows.clear()
            table.rejected.clear()
            return table
    return table


def stream_table(lines: Iterable[str], *, required: Sequence[Sequence[str]], optional: Sequence[str] = (),
                 max_field: int = 1000) -> tuple[CsvTable, Iterator[CsvRow | Rejected]]:
    """:func:`read_table` one row at a time: the header's verdict (``error``, ``columns``; no rows) and the rows,
    each a ``CsvRow`` or a ``Rejected``, read from ``lines`` (physical lines without line breaks) as they come."""
    table = CsvTable()
    numbered = ((number, line) for number, line in enumerate(lines, start=1) if line.strip())
    first = next(numbered, None)
    if first is None:
        table.error = _("the file is empty")
        return table, iter(())
    header_line, header = first
    delimiter = _delimiter(header)
    try:
        names = _cells(header, delimiter) if "\x00" not in header else []
    except csv.Error:
        names = []
    if not names or any(len(name) > max_field for name in names):
        table.error = _("line {line}: the header cannot be read").format(line=header_line)
        return table, iter(())
    names = [name.strip().lower() for name in names]
    known = {name.lower() for group in required for name in group} | {name.lower() for name in optional}
    doubled = sorted({name for name in names if name in known and names.count(name) > 1})
    if doubled:
        table.error = _("the header names the column {name} twice").format(name=doubled[0])
        return table, iter(())
    groups = [[name.lower() for name in group if name.lower() in names] for group in required]
    for group, present in zip(required, groups, strict=True):
        if not present:
            table.error = _("the header needs a column {columns}").format(columns=" / ".join(group))
            return table, iter(())
    table.columns = names
    return table, _rows(numbered, names, delimiter, groups, max_field)


def _rows(numbered: Iterator[tuple[int, str]], names: list[str], delimiter: str, groups: list[list[str]],
          max_field: int) -> Iterator[CsvRow | Rejected]:
    unique = len(set(names)) == len(names)
    for number, line in numbered:
        cells, trouble = _problem(line, delimiter, len(names), max_field)
        if trouble is None:
            if unique:
                values = dict(zip(names, map(str.strip, cells), strict=True))
            else:
                values = {}
                for name, cell in zip(names, cells, strict=True):
                    values.setdefault(name, cell.strip())
            for group in groups:
                if not any(map(values.__getitem__, group)):
                    trouble = _("no value for {columns}").format(columns=" / ".join(group))
                    break
        yield Rejected(number, trouble) if trouble is not None else CsvRow(number, values)
