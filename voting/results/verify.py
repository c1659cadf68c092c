"""Pure: offline verification of an export — signatures, a recount of the .pb, and agreement of every file."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from voting.results.document import vote_ballot
from voting.results.exports import FILES, recorded_tie_break
from voting.results.pbexport import recorded_recount
from voting.results.signing import SignatureProblem, verify_bytes
from voting.tally import Election, PabulibError, RuleError, TallyResult, VoteType, parse_pabulib, tally
from voting.tally.constraints import with_constraints
from voting.tally.pbnumbers import parse_number

__all__ = ["SIGNED_FILES", "verify_export"]

SIGNED_FILES = (FILES["json"], FILES["csv"], FILES["pb"], FILES["bulletin"])


def _signatures(files: Mapping[str, bytes], keys: dict[str, Ed25519PublicKey]) -> list[str]:
    problems = []
    for name in SIGNED_FILES:
        if name not in files:
            problems.append(f"{name} is missing")
        elif f"{name}.sig" not in files:
            problems.append(f"{name}.sig is missing")
        else:
            try:
                verify_bytes(name, files[name], files[f"{name}.sig"].decode(), keys)
            except SignatureProblem as error:
                problems.append(str(error))
    return problems


def _ballot_key(projects: Sequence[str], points: Sequence[int] | None, ranked: bool) -> tuple[Any, ...]:
    """One vote as a comparable key: a ranking in order; otherwise its projects (with their non-zero points) as a
    set, since an imported file's rows list them in their own order."""
    if ranked:
        return tuple(projects)
    return tuple(sorted((p, n) for p, n in zip(projects, points or (1,) * len(projects), strict=False) if n))


def _same_amount(written: Any, published: Any) -> bool:
    try:
        return written is not None and parse_number(str(written)) == Fraction(str(published))
    except (PabulibError, ValueError):
        return False


def verify_export(files: Mapping[str, bytes], keys: dict[str, Ed25519PublicKey]) -> list[str]:
    """Every reason the export cannot be trusted (an empty list when it verifies)."""
    problems = _signatures(files, keys)
    try:
        document: dict[str, Any] = json.loads(files[FILES["json"]])
        board: dict[str, Any] = json.loads(files[FILES["bulletin"]])
        pb = parse_pabulib(files[FILES["pb"]].decode("utf-8-sig"), lenient=True)
        election = pb.election()
    except KeyError:
        return problems
    except (ValueError, PabulibError) as error:
        return problems + [f"cannot read the export: {error}"]
    problems += [f"election.pb disagrees with itself: {warning}" for warning in pb.warnings]

    (rule, share), tie_break = recorded_recount(pb.meta), recorded_tie_break(pb.meta)
    if (rule, tie_break) != (document["rule"], document["tie_break"]):
        problems.append(f"election.pb records rule {rule} / {tie_break} but the result says "
                        f"{document['rule']} / {document['tie_break']}")
    ours = {str(p.get("pabulib_id", p["id"])): str(p["id"]) for p in document["projects"]}
    costs = {ours.get(row["project_id"], row["project_id"]): row["cost"] for row in pb.project_rows()}
    for project in document["projects"]:
        if not _same_amount(costs.get(project["id"]), project["cost"]):
            problems.append(f"project {project.get('pabulib_id', project['id'])} costs {costs.get(project['id'])} "
                            f"in election.pb but {project['cost']} in result.json")
    published = [p["id"] for p in document["projects"] if p["selected"]]
    marked = sorted(ours.get(pid, pid) for pid in pb.selected_ids() or [])
    if marked != sorted(published):
        problems.append(f"election.pb marks {marked} selected but result.json {sorted(published)}")
    if sorted(document["selected"]) != sorted(published):
        problems.append("result.json's selected list and its projects' selected flags disagree")
    if FILES["csv"] in files:
        rows = list(csv.DictReader(io.StringIO(files[FILES["csv"]].decode("utf-8"))))
        in_csv = sorted(row["project_id"].lstrip("'") for row in rows if row.get("selected") == "1")
        if in_csv != sorted(published):
            problems.append(f"result.csv marks {in_csv} selected but result.json {sorted(published)}")
    try:
        def run_rule(fundable: Election) -> TallyResult:
            return tally(fundable, document["rule"], document["tie_break"], min_share=share)

        recount = run_rule(election) if not document.get("constraints") else with_constraints(
            election, document["constraints"], run_rule, document["tie_break"], min_score=election.threshold,
            min_share=share, ids={our: pb_id for pb_id, our in ours.items()})
        counted = sorted(ours.get(pid, pid) for pid in recount.selected)
        if counted != sorted(document["selected"]):
            problems.append(f"a recount of election.pb under {document['rule']} selects {counted}"
                            f", not the published {sorted(document['selected'])}")
    except (RuleError, ValueError) as error:
        problems.append(f"cannot recount election.pb: {error}")

    everything = board.get("votes", [])
    votes = [v for v in everything if v["content"].get("blank") is not True]  # blank votes stay out of the count
    blank = len(everything) - len(votes)
    if not (len(everything) == board.get("participants") and
            len(votes) == document["votes_counted"] == election.voters and blank == document.get("blank_votes", 0)):
        problems.append(f"the bulletin board has {len(everything)} votes ({blank} blank) for "
                        f"{board.get('participants')} participants; result.json counted {document['votes_counted']} "
                        f"and {document.get('blank_votes', 0)} blank, and election.pb holds {election.voters}")
    ranked = election.vote_type is VoteType.ORDINAL
    on_board = Counter(_ballot_key(b.projects, b.points, ranked) for b in (vote_ballot(v["content"]) for v in votes))
    in_pb = Counter(_ballot_key(tuple(ours.get(pid, pid) for pid in b.projects), b.points, ranked)
                    for b in election.ballots)
    differing = max(sum((on_board - in_pb).values()), sum((in_pb - on_board).values()))
    if differing:
        problems.append(f"the bulletin board and election.pb disagree on {differing} vote(s)")
    receipts = [v["receipt_hash"] for v in votes]
    if receipts != sorted(receipts) or len(set(receipts)) != len(receipts):
        problems.append("the bulletin board is not sorted by unique receipt")
    return problems
