"""The VOTES section read compactly: each distinct ballot text once, and per voter 4 bytes for which one it is.

Real files repeat the same few thousand ballots; keeping every row as a tuple of strings cost about half a KiB per
voter. Here a block of well-formed lines (no quote, the header's number of `;` on every line) is split in C
(`bytes.split`, `Counter`, `map`), and anything else goes row by row through the exact reader
(:mod:`voting.tally.pabulib`), so both read the same rows and refuse the same files. Blocks are read as UTF-8
bytes, not text: a piece of a text holding any non-ASCII character (a district's name) costs a scan for its widest
character, a piece of bytes only its copy (Warszawa 2026: 27 -> 16 ms to split). Vote texts are kept as bytes.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import count, filterfalse, islice, repeat
from operator import lt

from voting.tally.pbnumbers import PabulibError, shown

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `greenballot tally` must start fast
if TYPE_CHECKING:
    from typing import Any

__all__ = ["VoteReader", "VoteRows"]

Row = tuple[str, ...]
Piece = tuple[bytes, int, int] | list[Row]
"""Where rows were read: ``data[start:end]`` (whole lines of UTF-8), or rows already split."""


class VoteRows(Sequence[Row]):
    """The VOTES rows as written, rebuilt on demand from the blocks of text they were read from."""

    def __init__(self, pieces: list[Piece] | None, length: int) -> None:
        self.pieces = pieces
        self.length = length
        self._rows: list[Row] | None = None

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[Row]:
        if self._rows is not None:
            yield from self._rows
            return
        if self.pieces is None:
            raise RuntimeError("the VOTES rows were not kept (read with keep_rows=False)")
        for piece in self.pieces:
            if isinstance(piece, tuple):
                data, start, end = piece
                for line in data[start:end].decode("utf-8").split("\n"):
                    yield tuple(line.split(";"))
            else:
                yield from piece

    def __getitem__(self, item):  # type: ignore[no-untyped-def, override]
        if self._rows is None:
            self._rows = list(self)
        return self._rows[item]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (VoteRows, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


class VoteReader:
    """Collects VOTES rows: distinct vote texts (with their points) in order of first use, how many voters cast
    each, which one each voter cast, each row's line, and the first voter-id problem (raised in file order by
    :func:`voting.tally.pbelection.build_election`)."""

    def __init__(self, columns: list[str], cumulative: bool) -> None:
        self.width = len(columns)
        self.vote_col = columns.index("vote") if "vote" in columns else 1
        self.points_col = columns.index("points") if cumulative and "points" in columns else None
        self.keys: dict[object, int] = {}
        self._times: list[int] = []
        self.index = array("I")  # unsigned: set from an int without the argument parsing "i" costs
        self.lines = array("I")
        self.pieces: list[Piece] = []
        self.kept = True
        self._last: int | None = -1  # the last voter id while they are increasing numbers
        self._hashes: set[int] | None = None  # else their hashes (exact strings after a collision)
        self._exact: set[str] | None = None
        self.problem: PabulibError | None = None

    @property
    def times(self) -> list[int]:
        """How many voters cast each distinct vote text, in the order of :attr:`keys`."""
        return self._times

    @property
    def count(self) -> int:
        """Rows read so far."""
        return len(self.index)

    def add_bytes(self, data: bytes, start: int, end: int, first_line: int) -> int:
        """Read the whole lines ``data[start:end]`` (UTF-8); return how many, or 0 (nothing read) when they need
        the row-by-row reader. ``data`` is kept (not a copy of the block) to give the rows back on demand.

        Each newline becomes ``;\n``, so one split gives every field and each voter id starts with the newline
        that ends the row before: with the header's number of fields in all, every row has its width exactly when
        the ids hold every newline (each field holds at most one, first)."""
        block, w = data[start:end], self.width
        if b'"' in block:
            return 0
        if len(block) > _MAX_LINE:  # then its lines are measured, and counted
            lines = list(map(len, block.split(b"\n")))
            if max(lines) > _MAX_LINE:
                return 0
            n = len(lines)
        else:
            n = block.count(b"\n") + 1
        flat = block.replace(b"\n", b";\n").split(b";")
        if len(flat) != n * w:
            return 0
        flat[0] = b"\n" + flat[0]
        ids = flat[0::w]
        joined = b"".join(ids)
        if joined.count(b"\n") != n:
            return 0
        votes = flat[self.vote_col::w]
        keys: list[Any] = votes if self.points_col is None else list(zip(votes, flat[self.points_col::w],
                                                                          strict=True))
        self.pieces.append((data, start, end))
        start_row = len(self.index)
        self._add(keys, range(first_line, first_line + n))
        if self.problem is None and not self._increasing(ids, joined):
            self._check_ids(joined.decode("utf-8").split("\n")[1:], start_row)
        return n

    def add_rows(self, rows: Sequence[Row], numbers: Sequence[int | None]) -> None:
        """Read rows already split (quoted or irregular text, or a file built in memory)."""
        if not rows:
            return
        vote, points = self.vote_col, self.points_col
        keys: list[object] = ([r[vote].encode() for r in rows] if points is None else
                              [(r[vote].encode(), r[points].encode()) for r in rows])
        self.pieces.append(list(rows))
        start = len(self.index)
        self._add(keys, [n or 0 for n in numbers])
        if self.problem is None:
            ids = [b"\n" + r[0].encode() for r in rows]
            joined = b"".join(ids)
            if not self._increasing(ids, joined):
                self._check_ids([r[0] for r in rows], start)

    def _add(self, keys: list[object], numbers: Sequence[int]) -> None:
        self.lines.extend(numbers)
        number = self.keys
        counted = Counter(keys)  # in order of first use
        if not number:  # the first block (most files have one)
            number.update(zip(counted, count()))
            self._times = list(counted.values())
        else:  # the keys not seen before, numbered in C, then every key's voters added
            number.update(zip(list(filterfalse(number.__contains__, counted)), count(len(number))))
            times = self._times
            times.extend(repeat(0, len(number) - len(times)))
            for which, voters in zip(map(number.__getitem__, counted), counted.values(), strict=True):
                times[which] += voters
        self.index.extend(map(number.__getitem__, keys))

    def _increasing(self, ids: list[bytes], joined: bytes) -> bool:
        """Whether the voter ids (each after a newline; ``joined``: all of them) are numbers increasing from the
        last block's, as in nearly every real file: then they cost no memory. Else (from then on) their hashes are
        kept (:meth:`_check_ids`)."""
        if self._last is None:
            return False
        if joined.count(b"\n") != len(ids):  # an id holding a newline (quoted): not a number
            self._last = None
            self._hashes = set(map(hash, self._ids_before(len(self.index) - len(ids))))
            return False
        digits = joined.translate(None, b"\n")
        if digits.isdigit():  # ASCII digits only: nothing to strip either
            size = len(ids[0])
            if size > 1 and len(joined) == size * len(ids) and min(map(len, ids)) == size:
                # all as long: their text order is their number order, compared without making numbers
                if self._last < int(ids[0]) and all(map(lt, ids, islice(ids, 1, None))):
                    self._last = int(ids[-1])
                    return True
            elif min(map(len, ids)) > 1:
                numbers = list(map(int, ids))
                if self._last < numbers[0] and all(map(lt, numbers, islice(numbers, 1, None))):
                    self._last = numbers[-1]
                    return True
        self._last = None
        self._hashes = set(map(hash, self._ids_before(len(self.index) - len(ids))))
        return False

    def _check_ids(self, ids: list[str], start: int) -> None:
        """Voter ids must be present and distinct: their hashes are kept; exact strings are compared only when
        those disagree."""
        ids = list(map(str.strip, ids))
        if self._exact is None and self._hashes is not None and all(ids):
            before = len(self._hashes)
            self._hashes.update(map(hash, ids))
            if len(self._hashes) == before + len(ids):
                return
        if self._exact is None:  # a repeat, an empty id, or a hash collision: look exactly
            self._exact = self._ids_before(start)
            self._hashes = None
        seen = self._exact
        for offset, voter in enumerate(ids):
            line = self.lines[start + offset] or None
            if not voter:
                self.problem = PabulibError("empty voter id", line, "voter_id")
                return
            if voter in seen:
                self.problem = PabulibError(f"voter {shown(voter)} appears twice", line, "voter_id")
                return
            seen.add(voter)

    def _ids_before(self, start: int) -> set[str]:
        rows = VoteRows(self.pieces, start)
        seen: set[str] = set()
        for n, row in enumerate(rows):
            if n == start:
                break
            seen.add(row[0].strip())
        return seen

    def first_line(self, key: object) -> int | None:
        """The line of the first row that cast ``key``."""
        return self.lines[self.index.index(self.keys[key])] or None

    def rows(self) -> VoteRows:
        """The rows as written."""
        return VoteRows(self.pieces if self.kept else None, self.count)

    def done(self, keep_rows: bool = True) -> None:
        """Drop what only reading needed (and, unless ``keep_rows``, the text the rows are rebuilt from)."""
        self._hashes = self._exact = self._last = None
        if not keep_rows:
            self.pieces, self.kept = [], False


_MAX_LINE = 10_000
"""A line no longer than this has no field longer than :data:`voting.tally.pabulib.MAX_FIELD`."""
