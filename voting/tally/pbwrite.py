"""Write Pabulib `.pb` text, from a parsed file or from an election and its result."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

from voting.tally.greedy import scores
from voting.tally.model import Election, VoteType
from voting.tally.pabulib import PabulibFile
from voting.tally.result import TallyResult
from voting.tally.tiebreak import supporters, tie_key

__all__ = ["FORMULA_STARTS", "format_number", "formula_safe", "to_pabulib", "write_pabulib"]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet run a cell as a formula (OWASP CSV injection); .pb files are opened in spreadsheets."""
_TEXT_META = {"description", "country", "unit", "subunit", "instance", "district", "comment", "language", "edition"}
"""META keys holding free text (the others are numbers, dates or names of rules)."""


def formula_safe(text: str) -> str:
    """``text`` prefixed with a quote when a spreadsheet would run it; names are never read by a tally, so the
    recount of the file is unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def format_number(value: Fraction | int) -> str:
    """Pabulib text for an exact number: an integer, or a decimal with a dot."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return format(float(value), ".15g")


def write_pabulib(pb: PabulibFile) -> str:
    """The `.pb` text of a file: META, PROJECTS and VOTES, `;`-separated and quoted when needed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    out.write("META\n")
    writer.writerow(["key", "value"])
    writer.writerows((key, formula_safe(value) if key in _TEXT_META else value) for key, value in pb.meta.items())
    out.write("PROJECTS\n")
    writer.writerow(pb.project_columns)
    names = [n for n, column in enumerate(pb.project_columns) if column in ("name", "description", "category")]
    writer.writerows(tuple(formula_safe(str(cell)) if n in names else cell for n, cell in enumerate(row))
                     for row in pb.projects)
    out.write("VOTES\n")
    writer.writerow(pb.vote_columns)
    writer.writerows(pb.votes)
    return out.getvalue()


def to_pabulib(
    election: Election, result: TallyResult | None = None, meta: dict[str, str] | None = None
) -> PabulibFile:
    """A Pabulib file for an election; with a result, its rule and `selected` column."""
    info = dict(election.meta)
    info.update(meta or {})
    info.setdefault("description", "greenballot election")
    info.setdefault("country", "unknown")
    info.setdefault("unit", "unknown")
    info.setdefault("instance", "unknown")
    info["num_projects"] = str(len(election.projects))
    info["num_votes"] = str(election.voters)
    info["budget"] = format_number(election.budget)
    info["vote_type"] = str(election.vote_type)
    info["rule"] = result.rule if result else info.get("rule", "unknown")
    if election.max_length is not None:
        info["max_length"] = str(election.max_length)
    if election.threshold is not None and info["rule"] in ("greedy-threshold", "greedy-no-skip"):
        info["min_project_score_threshold"] = format_number(election.threshold)
    elif info["rule"] != "greedy-threshold":
        info.pop("min_project_score_threshold", None)
    if sum((p.cost for p in election.projects), Fraction(0)) <= election.budget:
        info["fully_funded"] = "1"
    if election.vote_type is VoteType.CUMULATIVE and "max_sum_points" not in info:
        info["max_sum_points"] = str(max((sum(b.points or ()) for b in election.ballots), default=0))
    scored = election.vote_type in (VoteType.CUMULATIVE, VoteType.ORDINAL)
    votes = supporters(election)
    points = scores(election)
    columns = ["project_id", "cost", "votes"] + (["score"] if scored else []) + ["name"]
    chosen = set(result.selected) if result else None
    if chosen is not None:
        columns.append("selected")
    projects = []
    key = tie_key(result.tie_break if result else ("lexico",), election)
    for p in sorted(election.projects, key=lambda p: (-(points if scored else votes)[p.id], key(p))):
        row = [p.id, format_number(p.cost), str(votes[p.id])]
        if scored:
            row.append(str(points[p.id]))
        row.append(p.name or p.id)
        if chosen is not None:
            row.append("1" if p.id in chosen else "0")
        projects.append(tuple(row))
    vote_columns = ["voter_id", "vote"] + (["points"] if election.vote_type is VoteType.CUMULATIVE else [])
    rows = []
    for n, ballot in enumerate(election.ballots, start=1):
        row = [str(n), ",".join(ballot.projects)]
        if ballot.points is not None:
            row.append(",".join(map(str, ballot.points)))
        rows.append(tuple(row))
    return PabulibFile(info, columns, projects, vote_columns, rows)
