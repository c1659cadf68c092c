"""Reading a voter roll from CSV: accepted entries and a line-by-line report of rejected rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from voting.i18n import gettext as _

__all__ = ["RollEntry", "Rejected", "RollFile", "parse_roll"]

_ALIASES = {
    "email": "email", "e-mail": "email", "mail": "email", "courriel": "email",
    "external_id": "external_id", "external id": "external_id", "id": "external_id", "identifiant": "external_id",
    "birth_date": "birth_date", "birthdate": "birth_date", "date_of_birth": "birth_date",
    "date de naissance": "birth_date", "date_naissance": "birth_date",
    "neighbourhood": "neighbourhood", "neighborhood": "neighbourhood", "quartier": "neighbourhood",
}


@dataclass(frozen=True)
class RollEntry:
    line: int
    email: str | None
    external_id: str | None
    birth_date: date | None
    neighbourhood_id: int | None


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class RollFile:
    entries: list[RollEntry] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _entry(line: int, row: Mapping[str, str], hoods: Mapping[str, int], today: date) -> RollEntry | str:
    email = (row.get("email") or "").strip().lower() or None
    external = (row.get("external_id") or "").strip() or None
    if not email and not external:
        return _("no email and no external id")
    if email and ("@" not in email or " " in email or len(email) > 254):
        return _("invalid email {email}").format(email=email)
    if external and len(external) > 64:
        return _("external id longer than 64 characters")
    born: date | None = None
    if (row.get("birth_date") or "").strip():
        try:
            born = _date(row["birth_date"].strip())
        except ValueError:
            return _("invalid birth date {value} (use YYYY-MM-DD)").format(value=row["birth_date"].strip())
        if born > today or born.year < 1900:
            return _("impossible birth date {value}").format(value=row["birth_date"].strip())
    hood: int | None = None
    name = (row.get("neighbourhood") or "").strip()
    if name:
        hood = hoods.get(name.lower())
        if hood is None:
            return _("unknown neighbourhood {name}").format(name=name)
    return RollEntry(line, email, external, born, hood)


def parse_roll(text: str, hoods: Mapping[str, int], today: date) -> RollFile:
    """Parse CSV (comma or semicolon) with a header; ``hoods`` maps lower-case slug, names and id to ids."""
    result = RollFile()
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        result.rejected.append(Rejected(1, _("the file is empty")))
        return result
    columns = [_ALIASES.get(name.strip().lower()) for name in header]
    if "email" not in columns and "external_id" not in columns:
        result.rejected.append(Rejected(1, _("the header needs an email or external_id column")))
        return result
    seen: set[str] = set()
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = {column: cell for column, cell in zip(columns, cells, strict=False) if column}
        entry = _entry(line, row, hoods, today)
        if isinstance(entry, str):
            result.rejected.append(Rejected(line, entry))
            continue
        keys = {f"e:{entry.email}" if entry.email else "", f"x:{entry.external_id}" if entry.external_id else ""}
        keys.discard("")
        if keys & seen:
            result.rejected.append(Rejected(line, _("duplicate of an earlier row")))
            continue
        seen |= keys
        result.entries.append(entry)
    return result
