"""Pure: a ballot's election for the tally engine, the digest of its input, and the canonical result document."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import rfc8785

from ballots.formats import TALLY_VOTE_TYPES
from voting.tally import Ballot as TallyBallot
from voting.tally import Election, Project, TallyResult, tally
from voting.tally.result import number

__all__ = ["TALLY_VOTE_TYPES", "BallotInput", "ProjectInput", "Grouped", "group", "build_election", "input_digest",
           "canonical", "result_document", "run_tally", "vote_ballot", "blank_count"]



@dataclass(frozen=True)
class ProjectInput:
    id: int
    name: str
    cost: int
    label: str | None = None
    """An imported project's own Pabulib id (the tally and the .pb speak in it; None: the proposal number)."""


@dataclass(frozen=True)
class BallotInput:
    """What a tally needs to know about a ballot besides its votes."""

    ballot_id: int
    title: str
    vote_format: str
    budget: int
    rule: str
    tie_break: str
    max_projects: int | None = None
    min_score: int | None = None
    """A project needs this score (votes, or points) to be funded."""
    min_share: int | None = None
    """A project needs this percentage of the voters' support to be funded."""
    budget_exact: str | None = None
    """An imported budget that is not whole, as written in its file."""
    currency: str | None = None
    """An imported election's own currency (None: the city's)."""
    constraints: dict[str, Any] | None = None
    """Tally constraints, resolved (ballots/constraints.py): every rule honours them."""

    def exact_budget(self) -> Fraction:
        return Fraction(self.budget_exact) if self.budget_exact else Fraction(self.budget)


def _set(values: dict[str, Any]) -> dict[str, Any]:
    """The fields that are set: fields added later, left unset, keep the digests of earlier ballots."""
    return {key: value for key, value in values.items() if value is not None}


def tally_ids(projects: Sequence[ProjectInput]) -> dict[int, str]:
    """Each project's id in the tally: an imported election's own ids when every project has one, so ties
    break as in its file; else the proposal numbers."""
    labels = [p.label for p in projects]
    if all(labels) and len(set(labels)) == len(labels):
        return {p.id: str(p.label) for p in projects}
    return {p.id: str(p.id) for p in projects}


def canonical(document: Any) -> bytes:
    """RFC 8785 canonical JSON: the same document always gives the same bytes."""
    return rfc8785.dumps(document)


def vote_ballot(content: Mapping[str, Any]) -> TallyBallot:
    """One stored vote content (``{"projects": [...]}`` or ``{"points": {...}}``) as a tally-engine ballot."""
    if "points" in content:
        items = sorted(content["points"].items(), key=lambda item: int(item[0]))
        return TallyBallot(projects=tuple(str(int(k)) for k, _ in items), points=tuple(int(v) for _, v in items))
    return TallyBallot(projects=tuple(str(int(p)) for p in content["projects"]))


Grouped = Sequence[tuple[Mapping[str, Any], int]]
"""Distinct vote contents with how many voters cast each."""


def group(contents: Iterable[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], int]]:
    """Identical contents together, in canonical order."""
    counts = Counter(canonical(dict(content)) for content in contents)
    return [(json.loads(raw), count) for raw, count in sorted(counts.items())]


def blank_count(votes: Grouped) -> int:
    """How many voters cast a blank vote (counted in turnout and shown apart; never in the selection)."""
    return sum(count for content, count in votes if content.get("blank") is True)


def build_election(ballot: BallotInput, projects: Sequence[ProjectInput], votes: Grouped) -> Election:
    """The tally engine's election, without blank votes; each distinct vote is checked once, then repeated for
    its voters."""
    ids = tally_ids(projects)
    distinct = [(vote_ballot(content), count) for content, count in votes if content.get("blank") is not True]
    if any(str(key) != value for key, value in ids.items()):
        named = {str(key): value for key, value in ids.items()}
        distinct = [(TallyBallot(tuple(named.get(p, p) for p in b.projects), b.points), n) for b, n in distinct]
    checked = Election.build(
        [Project(id=ids[p.id], cost=Fraction(p.cost), name=p.name) for p in projects],
        ballot.exact_budget(),
        TALLY_VOTE_TYPES[ballot.vote_format],
        [tally_ballot for tally_ballot, _ in distinct],
        max_length=ballot.max_projects,
    )
    return checked.replace(ballots=tuple(b for b, count in distinct for _ in range(count)))


def input_digest(ballot: BallotInput, projects: Sequence[ProjectInput], votes: Grouped) -> str:
    """SHA-256 over the canonical form of everything the tally reads (distinct votes sorted, with counts)."""
    tallied = sorted((canonical(dict(content)).decode(), count) for content, count in votes)
    document = {"ballot": _set(ballot.__dict__),
                "projects": [_set(p.__dict__) for p in sorted(projects, key=lambda p: p.id)],
                "votes": [[raw, count] for raw, count in tallied]}
    return hashlib.sha256(canonical(document)).hexdigest()


def run_tally(ballot: BallotInput, election: Election) -> TallyResult:
    """The ballot's rule on ``election``, honouring its constraints (see voting/tally/constraints.py)."""
    def run(fundable: Election) -> TallyResult:
        return tally(fundable, ballot.rule, ballot.tie_break, threshold=ballot.min_score, min_share=ballot.min_share)

    if not ballot.constraints:
        return run(election)
    from voting.tally.constraints import with_constraints

    return with_constraints(election, ballot.constraints, run, ballot.tie_break, min_score=ballot.min_score,
                            min_share=ballot.min_share)


def result_document(ballot: BallotInput, projects: Sequence[ProjectInput], election: Election,
                    result: TallyResult, digest: str, blank_votes: int = 0) -> dict[str, Any]:
    """Everything the results page, the exports and auditors need; no clock, so tallying twice is identical.

    ``votes_counted`` are the votes the rule read; ``blank_votes`` (present when there are some) are apart."""
    from voting.tally.greedy import scores
    from voting.tally.tiebreak import supporters

    votes, points = supporters(election), scores(election)
    ids = tally_ids(projects)
    back = {value: str(key) for key, value in ids.items()}
    explained = {back[e.project]: e.as_dict() | {"project": back[e.project]} for e in result.explanations}
    selected = [back[pid] for pid in result.selected]
    chosen = set(selected)
    extra = _set({"currency": ballot.currency, "min_score": ballot.min_score, "min_share": ballot.min_share,
                  "blank_votes": blank_votes or None})
    extra.update(_set({"constraints": ballot.constraints, "quota_short": result.facts.get("quota_short")}))
    return {
        "kind": "greenballot-result/1",
        "ballot_id": ballot.ballot_id,
        "title": ballot.title,
        "vote_format": ballot.vote_format,
        "vote_type": str(election.vote_type),
        "rule": result.rule,
        "tie_break": ",".join(result.tie_break),
        "budget": number(ballot.exact_budget()),
        "input_digest": digest,
        "votes_counted": election.voters,
        "selected": selected,
        "total_cost": number(result.total_cost),
        "projects": [
            {"id": str(p.id), "name": p.name, "cost": p.cost, "votes": votes[ids[p.id]],
             "score": number(points[ids[p.id]]), "selected": str(p.id) in chosen,
             "explanation": explained.get(str(p.id), {}),
             **({"pabulib_id": ids[p.id]} if ids[p.id] != str(p.id) else {})}
            for p in sorted(projects, key=lambda p: p.id)
        ],
        **extra,
    }
