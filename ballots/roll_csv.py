"""Reading a voter roll from CSV: accepted entries and a line-by-line report of rejected rows."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from voting.csvfiles import CsvRow, Rejected, stream_table, text_lines
from voting.i18n import gettext as _

__all__ = ["RollEntry", "Rejected", "RollFile", "parse_roll", "stream_roll", "disagreements", "COLUMNS"]

COLUMNS = {
    "email": ("email", "e-mail", "mail", "courriel"),
    "external_id": ("external_id", "external id", "id", "identifiant"),
    "birth_date": ("birth_date", "birthdate", "date_of_birth", "date de naissance", "date_naissance"),
    "neighbourhood": ("neighbourhood", "neighborhood", "quartier"),
}
"""Each roll column and the header names it may have (compared case-insensitively)."""
_EMAIL = re.compile(r"[^@\s\"<>()\[\]\\,;:]{1,64}@[^@\s\"<>()\[\]\\,;:]+\.[^@\s\"<>()\[\]\\,;:]{2,}")
_FIELDS = ("email", "external_id", "birth_date", "neighbourhood_id")


@dataclass(frozen=True)
class RollEntry:
    line: int
    email: str | None
    external_id: str | None
    birth_date: date | None
    neighbourhood_id: int | None


@dataclass
class RollFile:
    entries: list[RollEntry] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _date(text: str) -> date:
    if len(text) == 10 and text[4] == text[7] == "-" and text[:4].isdigit() and text[5:7].isdigit() \
            and text[8:].isdigit() and text.isascii():  # YYYY-MM-DD, the common case, without strptime's cost
        try:
            return date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            raise ValueError(text) from None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _value(row: CsvRow, column: str) -> str:
    values = row.values
    for name in COLUMNS[column]:
        if value := values.get(name):
            return value
    return ""


def _entry(row: CsvRow, hoods: Mapping[str, int], today: date) -> RollEntry | str:
    email = _value(row, "email").lower() or None
    external = _value(row, "external_id") or None
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        return _("invalid email {email}").format(email=email[:80])
    if external and len(external) > 64:
        return _("external id longer than 64 characters")
    born: date | None = None
    if written := _value(row, "birth_date"):
        try:
            born = _date(written)
        except ValueError:
            return _("invalid birth date {value} (use YYYY-MM-DD)").format(value=written[:40])
        if born > today or born.year < 1900:
            return _("impossible birth date {value}").format(value=written)
    hood: int | None = None
    if name := _value(row, "neighbourhood"):
        hood = hoods.get(name.lower())
        if hood is None:
            return _("unknown neighbourhood {name}").format(name=name[:80])
    return RollEntry(row.line, email, external, born, hood)


def parse_roll(text: str, hoods: Mapping[str, int], today: date) -> RollFile:
    """Parse CSV (comma or semicolon) with a header; ``hoods`` maps lower-case slug, names and id to ids.

    A bad row is rejected, never the file. Rows sharing an e-mail or an external id must agree: when they give
    different values for the same field, every one of them is rejected (which one is right is not ours to
    guess); a row that only repeats what earlier rows said is reported and stored once.
    """
    result = RollFile()
    rejected: dict[int, str] = {}
    entries: list[RollEntry] = []
    for item in stream_roll(text_lines(text), hoods, today):
        if isinstance(item, Rejected):
            rejected[item.line] = item.reason
        else:
            entries.append(item)
    rejected.update(disagreements(entries))
    result.entries = [entry for entry in entries if entry.line not in rejected]
    result.rejected = [Rejected(line, reason) for line, reason in sorted(rejected.items())]
    return result


def stream_roll(lines: Iterable[str], hoods: Mapping[str, int], today: date) -> Iterator[RollEntry | Rejected]:
    """Each row of a roll, checked on its own, as it is read: an entry, or why it is rejected (an unreadable
    header: one rejection at its line). Rows that disagree with each other are :func:`disagreements`' job."""
    table, items = stream_table(lines, required=[COLUMNS["email"] + COLUMNS["external_id"]],
                                optional=COLUMNS["birth_date"] + COLUMNS["neighbourhood"])
    if table.error:
        yield Rejected(1, table.error)
        return
    for item in items:
        if isinstance(item, Rejected):
            yield item
            continue
        entry = _entry(item, hoods, today)
        yield Rejected(item.line, entry) if isinstance(entry, str) else entry


def disagreements(entries: list[RollEntry]) -> dict[int, str]:
    """Rejections of rows that contradict, or only repeat, other rows with the same e-mail or external id.

    Only groups of two rows or more count: the rows sharing a key with no other row can be left out."""
    groups: dict[str, list[RollEntry]] = defaultdict(list)
    for entry in entries:
        if entry.email:
            groups[f"e:{entry.email}"].append(entry)
        if entry.external_id:
            groups[f"x:{entry.external_id}"].append(entry)
    against: dict[int, set[int]] = defaultdict(set)
    repeats: dict[int, int] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        if any(len({getattr(e, name) for e in group} - {None}) > 1 for name in _FIELDS):
            named = [e.line for e in group[:6]]  # enough to name five others: a huge group stays linear
            for entry in group:
                against[entry.line] |= {line for line in named if line != entry.line}
                if len(group) > 6:
                    against[entry.line].add(-1)
            continue
        known: dict[str, object] = {}
        for entry in group:
            given = {name: getattr(entry, name) for name in _FIELDS if getattr(entry, name) is not None}
            if known and given.items() <= known.items():
                repeats.setdefault(entry.line, group[0].line)
            known |= given
    found = {line: _("repeats line {line}: stored once").format(line=first) for line, first in repeats.items()}
    for line, others in against.items():
        listed = sorted(others - {-1})
        shown = ", ".join(map(str, listed[:5])) + (", ..." if len(listed) > 5 or -1 in others else "")
        found[line] = _("conflicts with line {lines}: same e-mail or external id, different data").format(
            lines=shown)
    return found
