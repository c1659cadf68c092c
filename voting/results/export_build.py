"""Build a stored result's export files (the full recount, costly): result JSON and CSV, the Pabulib .pb with an
imported election's own fields, the bulletin board, each signed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots.models import Ballot, BallotProposal
from voting.results.document import ProjectInput, build_election, run_tally, tally_ids
from voting.results.exports import FILES, bulletin_csv, bulletin_json, election_pb, result_csv, result_json
from voting.results.models import SourceVotes
from voting.results.pbexport import Recount, Source
from voting.results.service import StoredResult, ballot_contents, ballot_input, ballot_projects, board_rows
from voting.results.signing import sign_bytes
from voting.results.source_votes import unpack_votes
from voting.tally.pbwrite import format_number

__all__ = ["compute_exports", "export_source"]


async def _export_seed(session: AsyncSession, ballot_id: int) -> bytes:
    """A per-ballot secret seed for the .pb's shuffle and voter ids (stable, so downloads match signatures)."""
    import hmac

    from ballots.vote_models import BallotSecret

    secret = await session.get(BallotSecret, ballot_id)
    key = secret.slot_key if secret is not None else b"greenballot-no-ballot-secret"
    return hmac.new(key, b"greenballot pabulib export", hashlib.sha256).digest()


def _format_meta(ballot: Ballot) -> dict[str, str]:
    """The ballot's vote format in Pabulib META terms."""
    meta: dict[str, str] = {}
    if ballot.vote_format == "cumulative" and ballot.total_points:
        meta["max_sum_points"] = str(ballot.total_points)
        if ballot.max_points_per_project:
            meta["max_points"] = str(ballot.max_points_per_project)
    if ballot.vote_format == "knapsack":
        meta["max_sum_cost"] = str(ballot.budget)
        if ballot.min_spend_percent:
            meta["min_sum_cost"] = format_number(Fraction(ballot.budget * ballot.min_spend_percent, 100))
    if ballot.vote_format in ("approval", "knapsack") and ballot.min_projects:
        meta["min_length"] = str(ballot.min_projects)
    if ballot.vote_format in ("approval", "knapsack") and ballot.max_projects:
        meta["max_length"] = str(ballot.max_projects)
    if ballot.vote_format == "ranked" and ballot.max_ranks:
        meta["max_length"] = str(ballot.max_ranks)
    return meta


def _constraints_in_file(constraints: dict[str, Any] | None, ids: dict[int, str]) -> dict[str, Any] | None:
    """A ballot's constraints with their projects named as the exported file names them."""
    if not constraints:
        return None
    return {kind: [{**group, "projects": [ids[int(p)] for p in group.get("projects") or () if int(p) in ids]}
                   for group in groups] for kind, groups in constraints.items() if isinstance(groups, list)}


async def export_source(session: AsyncSession, ballot: Ballot, projects: list[ProjectInput]) -> Source:
    """An imported ballot's own META and project rows, keyed by the ids its tally uses (empty otherwise)."""
    if not ballot.source_meta:
        return Source()
    ids = tally_ids(projects)
    rows = (await session.exec(select(BallotProposal.proposal_id, BallotProposal.source_fields).where(
        BallotProposal.ballot_id == ballot.id))).all()
    fields = {ids[pid]: json.loads(text) for pid, text in rows if text and pid in ids}
    return Source(json.loads(ballot.source_meta), fields)


async def compute_exports(session: AsyncSession, stored: StoredResult, key: Any, key_secret: str | None = None,
                          progress: Callable[[str], None] | None = None) -> dict[str, bytes]:
    """Every export file of a stored result and its detached signature by ``key`` (the full recount: costly;
    ``voting.results.stored_exports`` runs it once per result digest and key)."""
    from auth.keys import private_key_of
    from voting.admin.settings import load_city_settings

    ballot_id = stored.ballot.id
    assert ballot_id is not None
    info = ballot_input(stored.ballot)
    projects = await ballot_projects(session, ballot_id)
    contents = await ballot_contents(session, ballot_id)
    election = build_election(info, projects, contents)
    result = run_tally(info, election)
    rows, participants = await board_rows(session, ballot_id)
    city = await load_city_settings(session)
    meta = {"description": stored.ballot.title, "country": "France", "unit": city.city_name,
            "instance": f"ballot-{ballot_id}", "currency": stored.ballot.currency or city.currency,
            "date_begin": stored.ballot.opens_at.strftime("%d.%m.%Y"),
            "date_end": stored.ballot.closes_at.strftime("%d.%m.%Y")}
    meta.update(_format_meta(stored.ballot))
    source = await export_source(session, stored.ballot, projects)
    recount = Recount(result.rule, result.tie_break, election.vote_type, info.min_score, info.min_share,
                      _constraints_in_file(stored.ballot.constraints, tally_ids(projects)))
    own = await session.get(SourceVotes, ballot_id) if stored.ballot.source_meta else None  # an import's rows
    pb_text = election_pb(election, result, meta, await _export_seed(session, ballot_id), source, recount,
                          unpack_votes(own.content) if own is not None else None)
    files = {FILES["json"]: result_json(stored.document), FILES["csv"]: result_csv(stored.document).encode(),
             FILES["pb"]: pb_text.encode(),
             FILES["bulletin"]: bulletin_json(ballot_id, rows, participants),
             FILES["bulletin-csv"]: bulletin_csv(rows).encode()}
    private = private_key_of(key, key_secret)
    for name in list(files):
        if progress:
            progress(name)
        files[f"{name}.sig"] = sign_bytes(name, files[name], private, key.kid).encode()
    return files
