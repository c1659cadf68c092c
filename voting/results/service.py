"""Result use cases: tally a closed ballot from its ballot box, publish it, read it, build signed exports."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from ballots.lifecycle import effective_status
from ballots.models import Ballot, BallotProposal
from ballots.service import change_status, close_if_due, database_now, ensure_manager, load_ballot, window_of
from voting.audit.service import record
from voting.domain import Conflict, Forbidden, NotFound
from voting.i18n import gettext as _
from voting.proposals.models import Proposal
from voting.results.document import (
    BallotInput,
    ProjectInput,
    blank_count,
    build_election,
    canonical,
    input_digest,
    result_document,
    run_tally,
)
from voting.results.models import BallotResult

__all__ = ["CLI_PRINCIPAL", "StoredResult", "tally_ballot", "publish_ballot", "move_ballot", "stored_result",
           "bulletin_rows", "board_rows", "visible_digest", "board_ballot", "export_files",
           "can_see_result", "ballot_input", "ballot_projects", "ballot_contents",
           "AFTER_CLOSE"]

AFTER_CLOSE = ("closed", "tallied", "published")
CLI_PRINCIPAL = Principal(id=uuid.UUID(int=0), email="cli", display_name="command line", roles=frozenset({"admin"}))
"""Who acts when an operator runs a command on the server (``account:00000000-...`` in the audit log)."""


@dataclass(frozen=True)
class StoredResult:
    ballot: Ballot
    status: str
    document: dict[str, Any]
    raw: bytes


def ballot_input(ballot: Ballot) -> BallotInput:
    assert ballot.id is not None
    return BallotInput(ballot_id=ballot.id, title=ballot.title, vote_format=ballot.vote_format, budget=ballot.budget,
                       rule=ballot.rule, tie_break=ballot.tie_break,
                       max_projects=ballot.max_ranks if ballot.vote_format == "ranked" else
                       ballot.max_projects if ballot.vote_format == "approval" else None,
                       min_score=ballot.min_project_score or None, min_share=ballot.min_voter_share or None,
                       budget_exact=ballot.budget_exact, currency=ballot.currency,
                       constraints=ballot.constraints or None)


async def ballot_projects(session: AsyncSession, ballot_id: int) -> list[ProjectInput]:
    """The ballot's projects; an imported one keeps its own id and its whole name (the proposal's title is cut)."""
    rows = (await session.exec(select(BallotProposal, Proposal.title).join(
        Proposal, col(Proposal.id) == col(BallotProposal.proposal_id)).where(BallotProposal.ballot_id == ballot_id)
    )).all()
    return [ProjectInput(row.proposal_id, _own_name(row.source_fields) or title, row.cost, row.label)
            for row, title in rows]


def _own_name(fields: str | None) -> str | None:
    return json.loads(fields).get("name") if fields else None


async def ballot_contents(session: AsyncSession, ballot_id: int) -> list[tuple[dict[str, Any], int]]:
    """Every counted vote's content, identical ones grouped, with how many voters cast each.

    Read straight from asyncpg (no ORM rows: this is the hot path of a 100,000-voter tally); each distinct
    content is decoded once.
    """
    raw = await (await session.connection()).get_raw_connection()
    driver: Any = raw.driver_connection
    rows = await driver.fetch("SELECT content::text FROM vote WHERE ballot_id = $1", ballot_id)
    counts = Counter(row[0] for row in rows)
    return [(json.loads(content), count) for content, count in counts.items()]


async def _compute(session: AsyncSession, ballot: Ballot) -> bytes:
    assert ballot.id is not None
    info = ballot_input(ballot)
    projects = await ballot_projects(session, ballot.id)
    contents = await ballot_contents(session, ballot.id)
    election = build_election(info, projects, contents)
    result = run_tally(info, election)
    return canonical(result_document(info, projects, election, result, input_digest(info, projects, contents),
                                     blank_count(contents)))


async def tally_ballot(session: AsyncSession, principal: Principal, ballot_id: int,
                       key_secret: str | None = None) -> StoredResult:
    """Run the ballot's rule over its counted votes; store it and mark the ballot tallied.

    The ballot is locked ``FOR UPDATE`` first: no vote is in flight while it is counted. A ballot whose closing
    time passed without anybody closing it is closed now, with its signed checkpoint, before it is counted.
    Tallying again recomputes and must give the same bytes; anything else is refused as a conflict.
    """
    ballot = await load_ballot(session, ballot_id, lock=True)
    ensure_manager(principal, ballot)
    now = await database_now(session)
    await close_if_due(session, ballot, now, key_secret=key_secret)
    status = effective_status(window_of(ballot), now)
    if status not in AFTER_CLOSE:
        raise Conflict(_("A ballot is tallied after it closes (it is {status}).").format(status=status))
    raw = await _compute(session, ballot)
    existing = await session.get(BallotResult, ballot_id)
    if existing is not None:
        if existing.document.encode() != raw:
            raise Conflict(_("The stored result differs from a recount of the ballot box."))
        return StoredResult(ballot, status, json.loads(raw), raw)
    document = json.loads(raw)
    digest = hashlib.sha256(raw).hexdigest()
    session.add(BallotResult(ballot_id=ballot_id, rule=document["rule"], tie_break=document["tie_break"],
                             input_digest=document["input_digest"], document=raw.decode(), document_sha256=digest))
    await session.flush()
    await record(session, actor=f"account:{principal.id}", action="result.stored", subject=f"ballot:{ballot_id}",
                 data={"rule": document["rule"], "tie_break": document["tie_break"],
                       "input_digest": document["input_digest"], "result_sha256": digest,
                       "selected": document["selected"], "votes_counted": document["votes_counted"]})
    if status == "closed":
        await change_status(session, principal, ballot_id, "tallied", key_secret=key_secret, result_sha256=digest)
        status = "tallied"
    return StoredResult(ballot, status, document, raw)


async def publish_ballot(session: AsyncSession, principal: Principal, ballot_id: int,
                         key_secret: str | None = None) -> Ballot:
    """Publish a tallied ballot's stored result, and compute and store its signed exports in the same
    transaction: downloads then only read them."""
    from voting.results.stored_exports import ensure_exports

    stored = await session.get(BallotResult, ballot_id)
    if stored is None and (await load_ballot(session, ballot_id)).status in AFTER_CLOSE:
        raise Conflict(_("Tally the ballot before publishing it."))
    ballot = await change_status(session, principal, ballot_id, "published",
                                 result_sha256=stored.document_sha256 if stored is not None else None)
    if stored is not None:
        raw = stored.document.encode()

        async def load() -> StoredResult:
            return StoredResult(ballot, "published", json.loads(raw), raw)

        await ensure_exports(session, ballot_id, stored.document_sha256, load, key_secret)
        from voting.followup.service import open_funded_projects  # every funded project gets its page now

        await open_funded_projects(session, ballot_id, json.loads(raw), actor=f"account:{principal.id}")
    return ballot


async def move_ballot(session: AsyncSession, principal: Principal, ballot_id: int, target: str, reason: str = "",
                      key_secret: str | None = None) -> Ballot:
    """Any lifecycle move asked by a moderator: "tallied" counts the ballot, "published" needs its result."""
    if target == "tallied":
        return (await tally_ballot(session, principal, ballot_id, key_secret)).ballot
    if target == "published":
        return await publish_ballot(session, principal, ballot_id, key_secret)
    return await change_status(session, principal, ballot_id, target, reason=reason, key_secret=key_secret)


def can_see_result(principal: Principal | None, ballot: Ballot, status: str) -> bool:
    """Everyone once published; before that, auditors, admins and the neighbourhood's moderators."""
    if status == "published":
        return True
    if principal is None:
        return False
    from auth.principal import can_moderate

    return bool(principal.roles & {"auditor", "admin"}) or can_moderate(principal, ballot.neighbourhood_id)


async def visible_digest(session: AsyncSession, principal: Principal | None, ballot_id: int) -> tuple[Ballot, str,
                                                                                                     str]:
    """The ballot, its status and its result's SHA-256, when the principal may see the result (the document
    itself is not read: callers that keep what they built per digest need no more)."""
    ballot = await load_ballot(session, ballot_id)
    status = effective_status(window_of(ballot), datetime.now(UTC))
    digest = (await session.exec(select(BallotResult.document_sha256).where(
        BallotResult.ballot_id == ballot_id))).first()
    if digest is None:
        raise NotFound(_("This ballot has no result yet."))
    if not can_see_result(principal, ballot, status):
        raise Forbidden(_("The result is not published yet."))
    return ballot, status, digest


async def stored_result(session: AsyncSession, principal: Principal | None, ballot_id: int) -> StoredResult:
    ballot = await load_ballot(session, ballot_id)
    status = effective_status(window_of(ballot), datetime.now(UTC))
    row = await session.get(BallotResult, ballot_id)
    if row is None:
        raise NotFound(_("This ballot has no result yet."))
    if not can_see_result(principal, ballot, status):
        raise Forbidden(_("The result is not published yet."))
    return StoredResult(ballot, status, json.loads(row.document), row.document.encode())


async def board_rows(session: AsyncSession, ballot_id: int) -> tuple[list[tuple[str, str, Any]], int]:
    """Every counted vote (receipt hash, commitment, content) sorted by receipt, and the participant count;
    no access check (callers check it)."""
    rows = (await session.exec(text(  # type: ignore[call-overload]
        "SELECT receipt_hash, commitment, content::text FROM vote WHERE ballot_id = :b ORDER BY receipt_hash"
    ).bindparams(b=ballot_id))).all()
    participants = (await session.exec(text(  # type: ignore[call-overload]
        "SELECT count(*) FROM participation WHERE ballot_id = :b").bindparams(b=ballot_id))).one()[0]
    return [(r, c, json.loads(content)) for r, c, content in rows], participants


async def board_ballot(session: AsyncSession, principal: Principal | None, ballot_id: int) -> Ballot:
    """The ballot whose bulletin board the principal may read: everyone from its publication, the people who
    may see its unpublished result (auditors, admins, its moderators) from the close."""
    ballot = await load_ballot(session, ballot_id)
    status = effective_status(window_of(ballot), datetime.now(UTC))
    if status not in AFTER_CLOSE:
        raise Forbidden(_("The bulletin board opens when voting closes."))
    if not can_see_result(principal, ballot, status):
        raise Forbidden(_("The bulletin board opens when the result is published."))
    return ballot


async def bulletin_rows(session: AsyncSession, principal: Principal | None,
                        ballot_id: int) -> tuple[Ballot, list[tuple[str, str, Any]], int]:
    """Every counted vote (receipt hash, commitment, content) sorted by receipt, and the participant count."""
    ballot = await board_ballot(session, principal, ballot_id)
    rows, participants = await board_rows(session, ballot_id)
    return ballot, rows, participants


async def export_files(session: AsyncSession, principal: Principal | None, ballot_id: int,
                       key_secret: str | None = None,
                       progress: Callable[[str], None] | None = None) -> dict[str, bytes]:
    """Every export file with its detached signature, and the public keys that verify them (stored once)."""
    from voting.results.stored_exports import signed_exports

    return await signed_exports(session, principal, ballot_id, key_secret, progress)
