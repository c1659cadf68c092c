"""Pure census rules: normalising and hashing keys, validating rows, refusing duplicates, throttling tries."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from voting.i18n import gettext as _

__all__ = ["HoodIndex", "CensusRow", "RowProblem", "SELF_CHECK_LIMIT", "SELF_CHECK_WINDOW", "derive_census_key",
           "key_fingerprint", "normalise_document", "document_problem", "keyed_hash", "census_email",
           "parse_birth_date", "birth_date_problem", "validate_row", "refuse_duplicates", "tries_left",
           "retry_after", "age_on"]

SELF_CHECK_LIMIT = 5
SELF_CHECK_WINDOW = timedelta(hours=1)
_DOCUMENT = re.compile(r"^[A-Z0-9]{4,40}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_DASHES_AND_SPACES = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2212]+")
_KEY_LABEL = b"greenballot census document-id key v1"
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def derive_census_key(secret: str) -> bytes:
    """The HMAC key of census hashes, derived from the instance secret (another secret: other hashes)."""
    if not secret:
        raise ValueError("the instance secret is empty")
    return hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


def key_fingerprint(key: bytes) -> str:
    """Sixteen hex digits that tell two keys apart without revealing either."""
    return hmac.new(key, b"fingerprint", hashlib.sha256).hexdigest()[:16]


def normalise_document(text: str) -> str:
    """Strip, upper-case, remove spaces and dashes: ``ab 12-345`` and ``AB12345`` are the same document."""
    return _DASHES_AND_SPACES.sub("", text.strip().upper())


def document_problem(normalised: str) -> str | None:
    if not _DOCUMENT.match(normalised):
        return _("a document number has 4 to 40 letters and digits")
    return None


def keyed_hash(key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of a normalised value, labelled by kind (``document``, ``email``), as 64 hex digits."""
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def census_email(text: str) -> str | None:
    """The address lower-cased, or None when it is not one."""
    email = text.strip().lower()
    return email if _EMAIL.match(email) and len(email) <= 254 else None


def parse_birth_date(text: str) -> date | None:
    """ISO ``YYYY-MM-DD`` or ``DD/MM/YYYY``; None when neither, or when the day does not exist."""
    found = _ISO_DATE.match(text.strip())
    if found:
        year, month, day = found.groups()
    elif found := _FRENCH_DATE.match(text.strip()):
        day, month, year = found.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def birth_date_problem(born: date | None, today: date) -> str | None:
    if born is None:
        return _("the birth date is not a real date in the form YYYY-MM-DD or DD/MM/YYYY")
    if born > today:
        return _("the birth date is in the future")
    if born.year < 1900:
        return _("the birth date is before 1900")
    return None


@dataclass(frozen=True)
class HoodIndex:
    """The city's neighbourhoods as the census names them: slug → id, postcode → the slugs it covers."""

    by_slug: Mapping[str, int]
    retired: frozenset[str]
    by_postcode: Mapping[str, Sequence[str]]

    def resolve(self, slug: str, postcode: str) -> int | str:
        """The neighbourhood's id, or the reason it cannot be found."""
        slug, postcode = slug.strip().lower(), "".join(postcode.split())
        if slug:
            if slug in self.retired:
                return _("the neighbourhood {slug} is retired").format(slug=slug)
            if slug not in self.by_slug:
                return _("unknown neighbourhood {slug}").format(slug=slug)
            return self.by_slug[slug]
        candidates = sorted(self.by_postcode.get(postcode, ()))
        if not candidates:
            return _("no neighbourhood has the postcode {postcode}").format(postcode=postcode)
        if len(candidates) > 1:
            return _("the postcode {postcode} is in several neighbourhoods ({slugs}): give the neighbourhood "
                     "column").format(postcode=postcode, slugs=", ".join(candidates))
        return self.by_slug[candidates[0]]


@dataclass(frozen=True)
class CensusRow:
    line: int
    email: str | None
    document_hash: str | None
    birth_date: date
    neighbourhood_id: int

    def keys(self) -> list[str]:
        return [key for key in (f"email:{self.email}" if self.email else None,
                                f"document:{self.document_hash}" if self.document_hash else None) if key]

    def same_person(self, other: CensusRow) -> bool:
        return (self.email, self.document_hash, self.birth_date, self.neighbourhood_id) == (
            other.email, other.document_hash, other.birth_date, other.neighbourhood_id)


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


def validate_row(line: int, values: Mapping[str, str], hoods: HoodIndex, key: bytes, today: date) -> CensusRow | str:
    """A stored row (document id hashed, never kept in clear), or why the row is rejected (never echoing it)."""
    email: str | None = None
    if values.get("email", "").strip():
        email = census_email(values["email"])
        if email is None:
            return _("the email is not a valid address")
    document_hash: str | None = None
    if values.get("document_id", "").strip():
        document = normalise_document(values["document_id"])
        if problem := document_problem(document):
            return problem
        document_hash = keyed_hash(key, "document", document)
    if email is None and document_hash is None:
        return _("no email and no document id")
    born = parse_birth_date(values.get("birth_date", ""))
    if problem := birth_date_problem(born, today):
        return problem
    assert born is not None
    hood = hoods.resolve(values.get("neighbourhood", ""), values.get("postcode", ""))
    if isinstance(hood, str):
        return hood
    return CensusRow(line, email, document_hash, born, hood)


def refuse_duplicates(rows: Sequence[CensusRow]) -> tuple[list[CensusRow], list[RowProblem]]:
    """Rows sharing an email or a document with different data are all rejected, each naming the others;
    a row repeating an earlier one exactly is stored once."""
    by_key: dict[str, list[CensusRow]] = {}
    for row in rows:
        for key in row.keys():
            by_key.setdefault(key, []).append(row)
    clashes: dict[int, set[int]] = {}
    repeats: dict[int, int] = {}
    for group in by_key.values():
        for row in group[1:]:
            first = group[0]
            if all(row.same_person(other) for other in group):
                repeats.setdefault(row.line, first.line)
            else:
                for other in group:
                    clashes.setdefault(other.line, set()).update(o.line for o in group if o is not other)
    kept: list[CensusRow] = []
    problems: list[RowProblem] = []
    for row in rows:
        if row.line in clashes:
            lines = ", ".join(str(n) for n in sorted(clashes[row.line]))
            problems.append(RowProblem(row.line, _("the same email or document id as line {lines}, with different "
                                                   "data").format(lines=lines)))
        elif row.line in repeats:
            problems.append(RowProblem(row.line, _("repeats line {line}: stored once").format(line=repeats[row.line])))
        else:
            kept.append(row)
    return kept, problems


def tries_left(failures: Sequence[datetime], now: datetime, limit: int = SELF_CHECK_LIMIT,
               window: timedelta = SELF_CHECK_WINDOW) -> int:
    """How many more tries a resident has now, given the times of their failed tries."""
    return max(0, limit - sum(1 for at in failures if timedelta(0) <= now - at < window))


def retry_after(failures: Sequence[datetime], now: datetime, limit: int = SELF_CHECK_LIMIT,
                window: timedelta = SELF_CHECK_WINDOW) -> int:
    """Seconds until one more try is allowed (0: allowed now)."""
    recent = sorted(at for at in failures if timedelta(0) <= now - at < window)
    if len(recent) < limit:
        return 0
    return max(1, int((recent[len(recent) - limit] + window - now).total_seconds()) + 1)


def age_on(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
