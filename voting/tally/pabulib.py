"""Read Pabulib `.pb` text (META, PROJECTS, VOTES) into a :class:`PabulibFile`, exactly or not at all."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from voting.tally.model import Election
from voting.tally.pbelection import build_election
from voting.tally.pbnumbers import PabulibError, parse_number, shown
from voting.tally.pbvotes import VoteReader
from voting.tally.record import Record

__all__ = ["MAX_FIELD", "PabulibError", "PabulibFile", "parse_pabulib", "parse_number"]

MAX_FIELD = 10_000
"""The longest field (a project name, a META value...) in characters."""
_SECTIONS = ("meta", "projects", "votes")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class PabulibFile(Record):
    """A `.pb` file as written: META in order, then project and vote rows by column.

    ``lines`` gives the line where each section starts, ``row_lines`` the line of each PROJECTS and VOTES row (by
    position), ``warnings`` what a lenient reading let through (see :func:`parse_pabulib`; empty after a strict
    one), ``_votes`` the VOTES rows read compactly (a file read from text; None for a file built in memory).
    """

    _fields = ("meta", "project_columns", "projects", "vote_columns", "votes", "lines", "row_lines", "meta_lines",
               "warnings", "_election", "_votes")
    _compared = _fields[:5]
    _shown = _fields[:6]
    __setattr__ = object.__setattr__  # type: ignore[assignment] # not frozen: the election is cached on it
    __delattr__ = object.__delattr__  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]
    meta: dict[str, str]
    project_columns: list[str]
    projects: list[tuple[str, ...]]
    vote_columns: list[str]
    votes: Sequence[tuple[str, ...]]
    lines: dict[str, int]
    row_lines: dict[str, Sequence[int]]
    meta_lines: dict[str, int]
    warnings: list[str]
    _election: Election | None
    _votes: VoteReader | None

    def __init__(self, meta: dict[str, str], project_columns: list[str], projects: list[tuple[str, ...]],
                 vote_columns: list[str], votes: Sequence[tuple[str, ...]], lines: dict[str, int] | None = None,
                 row_lines: dict[str, Sequence[int]] | None = None, meta_lines: dict[str, int] | None = None,
                 warnings: list[str] | None = None, _election: Election | None = None,
                 _votes: VoteReader | None = None) -> None:
        self.meta, self.project_columns, self.projects = meta, project_columns, projects
        self.vote_columns, self.votes = vote_columns, votes
        self.lines = {} if lines is None else lines
        self.row_lines = {} if row_lines is None else row_lines
        self.meta_lines = {} if meta_lines is None else meta_lines
        self.warnings = [] if warnings is None else warnings
        self._election, self._votes = _election, _votes

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
        return (found[index] or None) if found is not None and index < len(found) else None

    def election(self) -> Election:
        """The election this file describes, checked whole (see :func:`build_election`)."""
        if self._election is None:
            self._election = build_election(self)
        return self._election


def parse_pabulib(text: str | bytes, *, lenient: bool = False, keep_rows: bool = True) -> PabulibFile:
    """Parse `.pb` text (or its UTF-8 bytes, as read from the file: a :class:`UnicodeDecodeError` if they are not)
    and check it whole; raise :class:`PabulibError` naming the line and field.

    ``lenient`` only lets a file disagree with itself (META counts, the PROJECTS ``votes`` column), each
    disagreement listed in ``warnings``; the format, the numbers and the ids are always checked.

    META and PROJECTS are read row by row; VOTES in blocks of plain lines (see :mod:`voting.tally.pbvotes`).
    The VOTES rows as written (``votes``) are rebuilt from their UTF-8 bytes when asked for, which keeps them
    alive; ``keep_rows=False`` (a tally that needs only the election) lets them go.
    """
    raw = text if isinstance(text, bytes) else None
    if raw is not None:
        text = raw.decode("utf-8")
    assert isinstance(text, str)
    cleaned = _clean(text, raw)
    if cleaned is not text:
        text, raw = cleaned, None  # a BOM or CRLF gone: the bytes no longer match the text
    head = _head_end(text)
    if head is not None:
        reader = _Reader()
        try:
            _scan(reader, text[:head].split("\n"), 1, 0)
        except PabulibError:
            reader.section = ""  # perhaps a quoted field swallowed the marker: read it all row by row
        if reader.section == "votes" and "votes" in reader.columns:
            votes = reader.vote_reader()
            # the VOTES rows as UTF-8: the file's own bytes past the head's (encoded, it is short), else encoded
            data = text[head:].encode("utf-8") if raw is None else raw[len(text[:head].encode("utf-8")):]
            _read_votes(reader, votes, data, text.count("\n", 0, head) + 1)
            return reader.finish(lenient, votes, keep_rows)
    reader = _Reader()
    _scan(reader, text.split("\n"), 1, 0)
    return reader.finish(lenient, keep_rows=keep_rows)


_VOTES_MARKER = re.compile(r"^[ \t]*votes[ \t]*$", re.IGNORECASE | re.MULTILINE)
_BLOCK = 1 << 20
"""Bytes of VOTES read at once (about 25,000 rows): a file's memory grows by its arrays, not by the text split
of every row."""


def _head_end(text: str) -> int | None:
    """Where the VOTES rows start (after the marker and a plain header line), or None: read row by row."""
    found = _VOTES_MARKER.search(text)
    if found is None:
        return None
    at = found.end() + 1
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        line = text[at:end]
        if '"' in line:
            return None
        if line.strip():
            return min(end + 1, len(text))
        at = end + 1
    return None


def _read_votes(reader: _Reader, votes: VoteReader, data: bytes, line: int) -> None:
    """Read the VOTES rows from ``data`` (UTF-8, from line ``line``): blocks of plain lines, else row by row."""
    size, at = len(data), 0
    stop = size - 1 if data.endswith(b"\n") else size
    while at < stop:
        end = at + _BLOCK
        if end >= stop:
            end = stop
        else:
            found = data.find(b"\n", end)
            end = stop if found < 0 or found > stop else found
        rows = votes.add_bytes(data, at, end, line)
        if not rows:
            width = len(reader.columns["votes"])
            _scan(reader, data[at:].decode("utf-8").split("\n"), line, width)
            votes.add_rows(reader.rows, reader.numbers)
            reader.rows.clear()
            reader.numbers.clear()
            return
        line += rows
        at = end + 1


def _scan(reader: _Reader, lines: list[str], first: int, width: int) -> int:
    """Read ``lines`` (the first is line ``first``) into ``reader``; return the data width then expected."""
    index, count = 0, len(lines)
    rows, numbers = reader.rows, reader.numbers
    base = first - 1
    while index < count:
        line = lines[index]
        if '"' in line:
            cells, used = _quoted(lines, index, base)
        else:
            cells, used = line.split(";"), 1
            if len(line) > MAX_FIELD:
                _check_lengths(cells, base + index + 1)
        index += used
        if len(cells) == width:  # the common case: one more PROJECTS or VOTES row
            rows.append(tuple(cells))
            numbers.append(base + index - used + 1)
            continue
        if len(cells) > 1 or cells[0].strip():
            width = reader.record(base + index - used + 1, cells)
            rows, numbers = reader.rows, reader.numbers
    return width


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

    def vote_reader(self) -> VoteReader:
        """A reader of the VOTES rows under the header just read."""
        return VoteReader(self.columns["votes"], self.meta.get("vote_type", "").strip() == "cumulative")

    def finish(self, lenient: bool, votes: VoteReader | None = None, keep_rows: bool = True) -> PabulibFile:
        for name in _SECTIONS:
            if name not in self.starts:
                raise PabulibError(f"missing section {name.upper()} (is the file cut short?)")
            if name not in self.columns:
                raise PabulibError(f"section {name.upper()} has no header (is the file cut short?)",
                                   self.starts[name])
        (projects, project_lines), (rows, row_lines) = self.data["projects"], self.data["votes"]
        if votes is None:
            votes = self.vote_reader()
            votes.add_rows(rows, row_lines)
        votes.done(keep_rows)
        pb = PabulibFile(self.meta, self.columns["projects"], projects, self.columns["votes"], votes.rows(),
                         self.starts, {"projects": project_lines, "votes": votes.lines}, self.places, _votes=votes)
        pb._election = build_election(pb, lenient=lenient)
        return pb


def _clean(text: str, raw: bytes | None = None) -> str:
    """Drop a BOM, turn CRLF into LF, and refuse control characters (binary data in a text file); ``raw``: the
    text's UTF-8 bytes, if at hand (looked at instead of encoding the text again)."""
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text, raw = text.replace("\r\n", "\n"), None
    found = _CONTROL.search(text) if _has_control(text, raw) else None
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise PabulibError(f"control character U+{ord(found.group()):04X}: this is not Pabulib text", line)
    return text


_NOT_CONTROL = bytes(sorted(set(range(256)) - {*range(0x09), *range(0x0B, 0x20), 0x7F}))


def _has_control(text: str, raw: bytes | None = None) -> bool:
    """Whether ``text`` (whose UTF-8 bytes are ``raw``, if given) holds a control character (other than tab and
    newline), found in C a megabyte at a time: UTF-8 writes every other character with bytes from 0x80 up, so only
    control characters survive deleting the others (eight times faster than the regular expression, which then
    only finds where)."""
    if raw is not None:
        return any(raw[at:at + _BLOCK].translate(None, _NOT_CONTROL) for at in range(0, len(raw), _BLOCK))
    return any(text[at:at + _BLOCK].encode("utf-8", "surrogatepass").translate(None, _NOT_CONTROL)
               for at in range(0, len(text), _BLOCK))


def _quoted(lines: list[str], start: int, base: int = 0) -> tuple[list[str], int]:
    """Cells of the record starting at ``lines[start]`` (line ``base + start + 1``) read as CSV, and how many
    lines it took."""
    import csv  # only a file with quotes needs it

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
            raise PabulibError(f"a field is longer than {MAX_FIELD} characters", base + start + 1) from None
        if "end of data" in str(error):
            raise PabulibError("unterminated quote: the quoted field opened on this line never closes",
                               base + start + 1) from None
        if used > 1 or lines[start].count('"') % 2:
            raise PabulibError(f"badly quoted field ({error})", base + start + 1) from None
        # Quotes that pair up on the line but do not follow CSV rules, as in `"Odkupmy" i my` (a real file,
        # accepted by pabulib-checker): the text is kept exactly as written.
        cells = lines[start].split(";")
    _check_lengths(cells, base + start + 1)
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
