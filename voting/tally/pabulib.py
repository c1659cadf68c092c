"""Read Pabulib `.pb` text (META, PROJECTS, VOTES) into a :class:`PabulibFile`, exactly or not at all."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from voting.tally.model import Election
from voting.tally.pbelection import build_election
from voting.tally.pbnumbers import PabulibError, parse_number, shown

__all__ = ["MAX_FIELD", "PabulibError", "PabulibFile", "parse_pabulib", "parse_number"]

MAX_FIELD = 10_000
"""The longest field (a project name, a META value...) in characters."""
_SECTIONS = ("meta", "projects", "votes")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class PabulibFile:
    """A `.pb` file as written: META in order, then project and vote rows by column."""

    meta: dict[str, str]
    project_columns: list[str]
    projects: list[tuple[str, ...]]
    vote_columns: list[str]
    votes: list[tuple[str, ...]]
    lines: dict[str, int] = field(default_factory=dict, compare=False)
    """The line where each section starts."""
    row_lines: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)
    """The line of each PROJECTS and VOTES row, by position."""
    meta_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    warnings: list[str] = field(default_factory=list, compare=False, repr=False)
    """What a lenient reading let through (see :func:`parse_pabulib`); empty after a strict one."""
    _election: Election | None = field(default=None, compare=False, repr=False)

    def project_rows(self) -> list[dict[str, str]]:
        """PROJECTS rows as dictionaries keyed by column."""
        return [dict(zip(self.project_columns, row, strict=True)) for row in self.projects]

    def selected_ids(self) -> list[str] | None:
        """Project ids whose `selected` column is 1, or None when there is no such column."""
        if "selected" not in self.project_columns:
            return None
        col = self.project_columns.index("selected")
        return [row[0] for row in self.projects if row[col].strip() == "1"]

    def line_of(self, section: str, index: int) -> int | None:
        """The line of a PROJECTS or VOTES row (by position), when the file was read from text."""
        found = self.row_lines.get(section)
        return found[index] if found is not None and index < len(found) else None

    def election(self) -> Election:
        """The election this file describes, checked whole (see :func:`build_election`)."""
        if self._election is None:
            self._election = build_election(self)
        return self._election


def parse_pabulib(text: str, *, lenient: bool = False) -> PabulibFile:
    """Parse `.pb` text and check it whole; raise :class:`PabulibError` naming the line and field.

    ``lenient`` only lets a file disagree with itself (META counts, the PROJECTS ``votes`` column), each
    disagreement listed in ``warnings``; the format, the numbers and the ids are always checked.
    """
    reader = _Reader()
    lines = _clean(text).split("\n")
    index, count = 0, len(lines)
    rows: list[tuple[str, ...]] = []
    numbers: list[int] = []
    width = 0  # the current data section's header width, 0 outside PROJECTS and VOTES rows
    while index < count:
        line = lines[index]
        if '"' in line:
            cells, used = _quoted(lines, index)
        else:
            cells, used = line.split(";"), 1
            if len(line) > MAX_FIELD:
                _check_lengths(cells, index + 1)
        index += used
        if len(cells) == width:  # the common case: one more PROJECTS or VOTES row
            rows.append(tuple(cells))
            numbers.append(index - used + 1)
            continue
        if len(cells) > 1 or cells[0].strip():
            width = reader.record(index - used + 1, cells)
            rows, numbers = reader.rows, reader.numbers
    return reader.finish(lenient)


class _Reader:
    """The slow path of :func:`parse_pabulib`: section markers, headers, META rows and misfits."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.places: dict[str, int] = {}
        self.columns: dict[str, list[str]] = {}
        self.data: dict[str, tuple[list[tuple[str, ...]], list[int]]] = {}
        self.rows: list[tuple[str, ...]] = []
        self.numbers: list[int] = []
        self.starts: dict[str, int] = {}
        self.section = ""

    def record(self, number: int, cells: list[str]) -> int:
        """Take a record that is not a data row of the expected width; return the width now expected."""
        section = self.section
        if len(cells) == 1 and cells[0].strip().lower() in _SECTIONS:
            marker = cells[0].strip().lower()
            if marker in self.starts:
                raise PabulibError(f"section {marker.upper()} appears twice", number)
            expected = _SECTIONS[len(self.starts)]
            if marker != expected:
                raise PabulibError(f"expected section {expected.upper()}, found {marker.upper()}", number)
            self.section = marker
            self.starts[marker] = number
            return 0
        if not section:
            raise PabulibError("file must start with META", number)
        if section not in self.columns:
            self.columns[section] = header = [c.strip() for c in cells]
            _check_header(section, header, number)
            if section == "meta":
                return 0
            self.rows, self.numbers = self.data[section] = ([], [])
            return len(header)
        if section == "meta":
            key = cells[0].strip()
            if not key:
                raise PabulibError("empty META key", number, "key")
            if key in self.meta:
                raise PabulibError(f"META key {shown(key)} appears twice", number, key)
            self.meta[key] = ";".join(cells[1:]).strip()
            self.places[key] = number
            return 0
        width = len(self.columns[section])
        raise PabulibError(f"{len(cells)} fields where the {section.upper()} header has {width}", number)

    def finish(self, lenient: bool) -> PabulibFile:
        for name in _SECTIONS:
            if name not in self.starts:
                raise PabulibError(f"missing section {name.upper()} (is the file cut short?)")
            if name not in self.columns:
                raise PabulibError(f"section {name.upper()} has no header (is the file cut short?)",
                                   self.starts[name])
        (projects, project_lines), (votes, vote_lines) = self.data["projects"], self.data["votes"]
        pb = PabulibFile(self.meta, self.columns["projects"], projects, self.columns["votes"], votes, self.starts,
                         {"projects": project_lines, "votes": vote_lines}, self.places)
        pb._election = build_election(pb, lenient=lenient)
        return pb


def _clean(text: str) -> str:
    """Drop a BOM, turn CRLF into LF, and refuse control characters (binary data in a text file)."""
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    found = _CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise PabulibError(f"control character U+{ord(found.group()):04X}: this is not Pabulib text", line)
    return text


def _quoted(lines: list[str], start: int) -> tuple[list[str], int]:
    """Cells of the record starting at ``lines[start]`` read as CSV, and how many lines it took."""
    used = 0

    def feed() -> Iterator[str]:
        nonlocal used
        for index in range(start, len(lines)):  # not lines[start:]: a copy per quoted row would be quadratic
            used += 1
            yield lines[index] + "\n"

    try:
        cells = next(csv.reader(feed(), delimiter=";", strict=True))
    except csv.Error as error:
        if "field limit" in str(error):
            raise PabulibError(f"a field is longer than {MAX_FIELD} characters", start + 1) from None
        if "end of data" in str(error):
            raise PabulibError("unterminated quote: the quoted field opened on this line never closes",
                               start + 1) from None
        if used > 1 or lines[start].count('"') % 2:
            raise PabulibError(f"badly quoted field ({error})", start + 1) from None
        # Quotes that pair up on the line but do not follow CSV rules, as in `"Odkupmy" i my` (a real file,
        # accepted by pabulib-checker): the text is kept exactly as written.
        cells = lines[start].split(";")
    _check_lengths(cells, start + 1)
    return cells, used


def _check_lengths(cells: list[str], number: int) -> None:
    for cell in cells:
        if len(cell) > MAX_FIELD:
            raise PabulibError(f"a field is longer than {MAX_FIELD} characters", number)


def _check_header(section: str, header: list[str], number: int) -> None:
    required = {"meta": ("key", "value"), "projects": ("project_id", "cost"), "votes": ("voter_id", "vote")}
    first = {"meta": "key", "projects": "project_id", "votes": "voter_id"}[section]
    for column in required[section]:
        if column not in header:
            raise PabulibError(f"{section.upper()} header lacks column {column!r}", number, column)
    if header[0] != first:
        raise PabulibError(f"{section.upper()} header must start with {first!r}", number, header[0])
