"""Pure: the export files of a ballot — result CSV and JSON, the Pabulib .pb, the bulletin board."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from collections.abc import Mapping, Sequence
from typing import Any

from voting.results.document import canonical
from voting.results.pbexport import TIE_BREAK_NOTE, Recount, Source, apply_source
from voting.results.source_votes import VotesTable, same_votes
from voting.tally import Election
from voting.tally.pabulib import PabulibFile
from voting.tally.pbwrite import to_pabulib, write_pabulib
from voting.tally.result import TallyResult

__all__ = ["FILES", "TIE_BREAK_NOTE", "recorded_tie_break", "safe_cell", "result_csv", "result_json",
           "election_pb", "bulletin_json", "bulletin_csv", "BoardRow"]

FILES = {"json": "result.json", "csv": "result.csv", "pb": "election.pb", "bulletin": "bulletin.json",
         "bulletin-csv": "bulletin.csv"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

BoardRow = tuple[str, str, Mapping[str, Any]]
"""One counted vote on the bulletin board: (receipt hash, commitment, content)."""


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP: prefix a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _explanation_text(explanation: Mapping[str, Any]) -> str:
    facts = {k: v for k, v in explanation.items() if k not in ("project", "code", "selected")}
    return f"{explanation.get('code', '')} {json.dumps(facts, sort_keys=True, separators=(',', ':'))}".strip()


def result_csv(document: Mapping[str, Any]) -> str:
    """One row per project: id, name, cost, votes, score, selected, explanation."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["project_id", "name", "cost", "votes", "score", "selected", "explanation"])
    for project in document["projects"]:
        writer.writerow([safe_cell(project["id"]), safe_cell(project["name"]), project["cost"], project["votes"],
                         project["score"], 1 if project["selected"] else 0,
                         safe_cell(_explanation_text(project["explanation"]))])
    return out.getvalue()


def recorded_tie_break(meta: Mapping[str, str]) -> str:
    """The tie-break a greenballot export recorded in its META ``comment`` ('' when none)."""
    comment = meta.get("comment", "")
    if TIE_BREAK_NOTE not in comment:
        return ""
    words = comment.rsplit(TIE_BREAK_NOTE, 1)[1].split()
    return words[0] if words else ""


def result_json(document: Mapping[str, Any]) -> bytes:
    return canonical(dict(document))


def election_pb(election: Election, result: TallyResult, meta: Mapping[str, str], seed: bytes,
                source: Source | None = None, recount: Recount | None = None,
                source_votes: VotesTable | None = None) -> str:
    """The Pabulib file: META with the rule and how to recount it, PROJECTS with ``selected``, VOTES under
    random ids; an imported election's own META and project fields written back (``source``).

    Votes are listed in a shuffled order under random voter ids, so the file says nothing about who voted or
    when. The shuffle and the ids come from ``seed`` (a secret of the ballot), so every download of the export
    is the same file and matches its signature. An imported election's own VOTES rows (``source_votes``: its
    voter ids, age, sex...) are written as its file had them, when they hold exactly the votes counted.
    """
    recount = recount or Recount(result.rule, result.tie_break, election.vote_type)
    pb = apply_source(to_pabulib(election, result, dict(meta)), source or Source(), recount)
    if source_votes is not None and same_votes(source_votes, pb, election.vote_type):
        return write_pabulib(PabulibFile(pb.meta, pb.project_columns, pb.projects, *source_votes))
    rng = random.Random(hashlib.sha256(seed).digest())  # noqa: S311 - seeded from a secret, not for keys
    rows = list(pb.votes)
    order = list(range(len(rows)))
    rng.shuffle(order)
    ids = _random_ids(len(rows), rng)
    votes = [(ids[n], *rows[i][1:]) for n, i in enumerate(order)]
    return write_pabulib(PabulibFile(pb.meta, pb.project_columns, pb.projects, pb.vote_columns, votes))


def _random_ids(count: int, rng: random.Random) -> list[str]:
    seen: set[str] = set()
    while len(seen) < count:
        seen.add(f"{rng.getrandbits(48):012x}")
    return sorted(seen)


def bulletin_json(ballot_id: int, rows: Sequence[BoardRow], participants: int) -> bytes:
    """Every counted vote, sorted by receipt hash, with the participation count beside it."""
    return canonical({"kind": "greenballot-bulletin/1", "ballot_id": ballot_id, "participants": participants,
                      "votes": [{"receipt_hash": r, "commitment": c, "content": dict(content)}
                                for r, c, content in sorted(rows, key=lambda row: row[0])]})


def bulletin_csv(rows: Sequence[BoardRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["receipt_hash", "commitment", "content"])
    for receipt, commitment, content in sorted(rows, key=lambda row: row[0]):
        writer.writerow([receipt, commitment, json.dumps(dict(content), sort_keys=True, separators=(",", ":"))])
    return out.getvalue()
