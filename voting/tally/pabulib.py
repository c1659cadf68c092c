"""Read Pabulib `.pb` text (META, PROJECTS, VOTES) into a :class:`PabulibFile`."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from fractions import Fraction

from voting.tally.model import Ballot, Election, Project, VoteType

__all__ = ["PabulibError", "PabulibFile", "parse_pabulib", "parse_number"]

_SECTIONS = ("meta", "projects", "votes")


class PabulibError(ValueError):
    """A malformed `.pb` file: the message names the line and the field."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None) -> None:
        self.reason = message
        self.line = line
        self.field = field
        where = []
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass
class PabulibFile:
    """A `.pb` file as written: META in order, then project and vote rows by column."""

    meta: dict[str, str]
    project_columns: list[str]
    projects: list[tuple[str, ...]]
    vote_columns: list[str]
    votes: list[tuple[str, ...]]
    lines: dict[str, int] = field(default_factory=dict, compare=False)

    def project_rows(self) -> list[dict[str, str]]:
        """PROJECTS rows as dictionaries keyed by column."""
        return [dict(zip(self.project_columns, row, strict=True)) for row in self.projects]

    def selected_ids(self) -> list[str] | None:
        """Project ids whose `selected` column is 1, or None when there is no such column."""
        if "selected" not in self.project_columns:
            return None
        col = self.project_columns.index("selected")
        return [row[0] for row in self.projects if row[col].strip() == "1"]

    def election(self) -> Election:
        """The election this file describes."""
        return _to_election(self)


def parse_number(text: str, line: int | None = None, name: str | None = None) -> Fraction:
    """An exact number from Pabulib text, accepting a decimal comma."""
    try:
        return Fraction(text.strip().replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise PabulibError(f"not a number: {text!r}", line, name) from None


def _split(line: str, number: int) -> list[str]:
    if '"' not in line:
        return line.split(";")
    try:
        return next(csv.reader([line], delimiter=";", strict=True))
    except csv.Error:
        # A stray quote inside an unquoted field (seen in real files): keep the text as is.
        return line.split(";")


def parse_pabulib(text: str) -> PabulibFile:
    """Parse `.pb` text; raise :class:`PabulibError` naming the line and field on malformed input."""
    text = text.removeprefix("\ufeff")
    meta: dict[str, str] = {}
    sections: dict[str, tuple[list[str], list[tuple[str, ...]]]] = {}
    starts: dict[str, int] = {}
    section = ""
    header: list[str] | None = None
    rows: list[tuple[str, ...]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        marker = line.strip().lower()
        if marker in _SECTIONS:
            if marker in starts:
                raise PabulibError(f"section {marker.upper()} appears twice", number)
            expected = _SECTIONS[len(starts)]
            if marker != expected:
                raise PabulibError(f"expected section {expected.upper()}, found {marker.upper()}", number)
            if section:
                sections[section] = (header or [], rows)
            section, header, rows = marker, None, []
            starts[marker] = number
            continue
        if not section:
            raise PabulibError("file must start with META", number)
        cells = _split(line, number)
        if header is None:
            header = [c.strip() for c in cells]
            _check_header(section, header, number)
            continue
        if section == "meta":
            key = cells[0].strip()
            if key in meta:
                raise PabulibError(f"META key {key!r} appears twice", number, key)
            meta[key] = ";".join(cells[1:]).strip()
            continue
        if len(cells) != len(header):
            raise PabulibError(
                f"{len(cells)} fields where the {section.upper()} header has {len(header)}", number
            )
        rows.append(tuple(cells))
    if section:
        sections[section] = (header or [], rows)
    for name in _SECTIONS:
        if name not in starts:
            raise PabulibError(f"missing section {name.upper()}")
    project_columns, projects = sections["projects"]
    vote_columns, votes = sections["votes"]
    return PabulibFile(meta, project_columns, projects, vote_columns, votes, starts)


def _check_header(section: str, header: list[str], number: int) -> None:
    required = {"meta": ("key", "value"), "projects": ("project_id", "cost"), "votes": ("voter_id", "vote")}
    first = {"meta": "key", "projects": "project_id", "votes": "voter_id"}[section]
    for column in required[section]:
        if column not in header:
            raise PabulibError(f"{section.upper()} header lacks column {column!r}", number, column)
    if header[0] != first:
        raise PabulibError(f"{section.upper()} header must start with {first!r}", number, header[0])


def _to_election(pb: PabulibFile) -> Election:
    meta = pb.meta
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise PabulibError(f"META lacks {key!r}", pb.lines.get("meta"), key)
    budget = parse_number(meta["budget"], None, "budget")
    try:
        kind = VoteType(meta["vote_type"].strip())
    except ValueError:
        raise PabulibError(f"unsupported vote_type {meta['vote_type']!r}", None, "vote_type") from None
    projects = _projects(pb)
    ids = {p.id for p in projects}
    ballots = _ballots(pb, kind, ids)
    max_length = int(meta["max_length"]) if meta.get("max_length", "").strip().isdigit() else None
    threshold = meta.get("min_project_score_threshold", "").strip()
    return Election(
        tuple(projects),
        budget,
        kind,
        tuple(ballots),
        max_length,
        parse_number(threshold, None, "min_project_score_threshold") if threshold else None,
        dict(meta),
    )


def _projects(pb: PabulibFile) -> list[Project]:
    columns = pb.project_columns
    cost_col = columns.index("cost")
    name_col = columns.index("name") if "name" in columns else None
    first = pb.lines["projects"] + 2
    seen: set[str] = set()
    projects = []
    for offset, row in enumerate(pb.projects):
        number = first + offset
        pid = row[0].strip()
        if not pid:
            raise PabulibError("empty project id", number, "project_id")
        if pid in seen:
            raise PabulibError(f"project {pid!r} appears twice", number, "project_id")
        seen.add(pid)
        cost = parse_number(row[cost_col], number, "cost")
        if cost < 0:
            raise PabulibError(f"negative cost {row[cost_col]!r}", number, "cost")
        name = row[name_col].strip() if name_col is not None else ""
        projects.append(Project(pid, cost, name))
    return projects


def _ballots(pb: PabulibFile, kind: VoteType, ids: set[str]) -> list[Ballot]:
    columns = pb.vote_columns
    vote_col = columns.index("vote")
    points_col = columns.index("points") if "points" in columns else None
    if kind is VoteType.CUMULATIVE and points_col is None:
        raise PabulibError("cumulative votes need a 'points' column", pb.lines["votes"] + 1, "points")
    first = pb.lines["votes"] + 2
    ballots = []
    cache: dict[str, tuple[str, ...]] = {}
    for offset, row in enumerate(pb.votes):
        text = row[vote_col]
        chosen = cache.get(text)
        if chosen is None:
            chosen = _vote_list(text, ids, first + offset, kind)
            cache[text] = chosen
        points = None
        if kind is VoteType.CUMULATIVE:
            assert points_col is not None
            points = _points(row[points_col], len(chosen), first + offset)
        ballots.append(Ballot(chosen, points))
    return ballots


def _vote_list(text: str, ids: set[str], number: int, kind: VoteType) -> tuple[str, ...]:
    chosen = tuple(item.strip() for item in text.split(",") if item.strip())
    for pid in chosen:
        if pid not in ids:
            raise PabulibError(f"vote names unknown project {pid!r}", number, "vote")
    if len(set(chosen)) != len(chosen):
        raise PabulibError("vote names a project twice", number, "vote")
    if kind is VoteType.CHOOSE_ONE and len(chosen) > 1:
        raise PabulibError("a choose-1 vote names more than one project", number, "vote")
    return chosen


def _points(text: str, count: int, number: int) -> tuple[int, ...]:
    try:
        points = tuple(int(item.strip()) for item in text.split(",") if item.strip())
    except ValueError:
        raise PabulibError(f"points must be whole numbers: {text!r}", number, "points") from None
    if len(points) != count:
        raise PabulibError(f"{len(points)} points for {count} projects", number, "points")
    if any(p < 0 for p in points):
        raise PabulibError("negative points", number, "points")
    return points
