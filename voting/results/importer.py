"""Import a past election from a Pabulib file as a closed ballot: projects become accepted proposals, votes go
into the ballot box (random slots, no voter), so the city can re-tally, re-publish and audit it."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from ballots import merkle, receipts
from ballots.models import Ballot, BallotProposal
from ballots.tally_rules import RULE_NAMES
from ballots.vote_models import BallotSecret
from voting.audit.service import record
from voting.domain import DomainError
from voting.fields import refused_character
from voting.models import Neighbourhood
from voting.proposals.models import Proposal
from voting.results.models import SourceVotes
from voting.results.source_votes import pabulib_columns_only, pack_votes
from voting.tally import Election, PabulibError, PabulibFile, VoteType, parse_pabulib
from voting.tally.pbnumbers import parse_count

__all__ = ["ImportError_", "import_pabulib", "read_import", "IMPORT_ACCOUNT", "HISTORY_NEIGHBOURHOOD"]

IMPORT_ACCOUNT = "history-import@greenballot.invalid"
HISTORY_NEIGHBOURHOOD = "historical-imports"
FORMATS = {VoteType.APPROVAL: "approval", VoteType.CUMULATIVE: "cumulative", VoteType.ORDINAL: "ranked",
           VoteType.CHOOSE_ONE: "choose-one"}
BATCH = 5000
LABEL_LENGTH = 64  # ballot_proposal.label


class ImportError_(DomainError):
    status_code = 422


def _whole(value: Fraction, what: str) -> int:
    if value.denominator != 1 or value <= 0:
        raise ImportError_(f"{what} must be a positive whole amount to be stored (got {float(value):.15g})")
    return int(value)


def _stored_budget(value: Fraction) -> tuple[int, str | None]:
    """The budget's whole part for the ``budget`` column, and its exact decimal when it is not whole."""
    whole = max(int(value), 1)
    if value.denominator == 1:
        return whole, None
    text = format(value.numerator * 10**9 // value.denominator, "d")
    exact = f"{text[:-9] or '0'}.{text[-9:]}".rstrip("0")
    if Fraction(exact) != value:  # the reader keeps at most 9 decimals, so this never happens
        raise ImportError_(f"the budget {float(value):.15g} cannot be stored exactly")
    return whole, exact


def _title(name: str, limit: int) -> str:
    """A name on one line, without control or text-direction characters, cut to ``limit`` characters for a title
    column without trailing spaces (the name as written is kept with the project's own fields and exported)."""
    name = " ".join("".join(c for c in name if c.isspace() or refused_character(c) is None).split())
    return name if len(name) <= limit else name[:limit - 1].rstrip() + "…"


def _currency(meta: dict[str, str]) -> str | None:
    code = meta.get("currency", "").strip().upper()
    return code if len(code) == 3 and code.isascii() and code.isalpha() else None


def _threshold(election: Election) -> int | None:
    limit = election.threshold
    if limit is None or limit == 0:
        return None
    if limit.denominator != 1:
        raise ImportError_(f"min_project_score_threshold must be a whole number to be stored (got {float(limit)})")
    return int(limit)


def read_import(text: str) -> tuple[PabulibFile, Election]:
    """Read and check the whole file before anything is stored: the reader's rules, plus what the tables need
    (whole amounts, project ids that fit their label column). Raises :class:`ImportError_` with one line."""
    try:
        pb = parse_pabulib(text)
        election = pb.election()
    except PabulibError as error:
        raise ImportError_(str(error)) from error
    _stored_budget(election.budget)
    for index, project in enumerate(election.projects):
        where = f"line {pb.line_of('projects', index)}: " if pb.line_of("projects", index) else ""
        _whole(project.cost, f"{where}project {project.id!r}'s cost")
        if len(project.id) > LABEL_LENGTH:
            raise ImportError_(f"{where}project id longer than {LABEL_LENGTH} characters")
    return pb, election


def _date(meta: dict[str, str], key: str) -> datetime | None:
    """A META date, or None when absent, unreadable or outside 1900-2199 (dates only label the import)."""
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            found = datetime.strptime(meta.get(key, "").strip(), pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
        return found if 1900 <= found.year < 2200 else None
    return None


def _count(meta: dict[str, str], key: str) -> int | None:
    value = meta.get(key, "").strip()
    return parse_count(value) if value else None


async def _importer(session: AsyncSession) -> Account:
    account = (await session.exec(select(Account).where(Account.email == IMPORT_ACCOUNT))).first()
    if account is None:
        account = Account(email=IMPORT_ACCOUNT, display_name="Historical import", password_hash="!",  # noqa: S106 - no password matches "!"
                          is_active=False)
        session.add(account)
        await session.flush()
    return account


async def _neighbourhood(session: AsyncSession, slug: str | None) -> Neighbourhood:
    wanted = slug or HISTORY_NEIGHBOURHOOD
    hood = (await session.exec(select(Neighbourhood).where(Neighbourhood.slug == wanted))).first()
    if hood is None and slug:
        raise ImportError_(f"unknown neighbourhood {slug}")
    if hood is None:
        hood = Neighbourhood(slug=wanted, name_fr="Élections importées", name_en="Imported elections")
        session.add(hood)
        await session.flush()
    return hood


def _content(pb_ballot: Any, ids: dict[str, int], vote_type: VoteType) -> dict[str, Any]:
    mapped = [ids[p] for p in pb_ballot.projects]
    if vote_type is VoteType.CUMULATIVE:
        return {"points": {str(i): int(n) for i, n in sorted(zip(mapped, pb_ballot.points, strict=True)) if n > 0}}
    return {"projects": mapped if vote_type is VoteType.ORDINAL else sorted(mapped)}


async def import_pabulib(session: AsyncSession, text: str, *, neighbourhood: str | None = None, actor: str = "cli",
                         progress: Callable[[int, int], None] | None = None,
                         checked: tuple[PabulibFile, Election] | None = None,
                         keep_extra_vote_columns: bool = False) -> Ballot:
    """Create a closed ballot holding the file's projects and votes; returns it (``ballot.id`` is its number).

    ``checked`` is :func:`read_import`'s answer for this ``text`` when the caller already has it. The VOTES rows
    are kept for the export with Pabulib's own columns only, unless ``keep_extra_vote_columns`` (the file's other
    columns, a survey's answers or worse, would be republished); the audit entry names the columns dropped."""
    pb, election = checked or read_import(text)
    meta = pb.meta
    rule = meta.get("rule", "")
    vote_format = FORMATS[election.vote_type]
    importer, hood = await _importer(session), await _neighbourhood(session, neighbourhood)
    closes = _date(meta, "date_end") or datetime.now(UTC) - timedelta(days=1)
    opens = min(_date(meta, "date_begin") or closes - timedelta(days=14), closes - timedelta(seconds=1))
    title = meta.get("description") or meta.get("unit") or "Imported election"
    budget, budget_exact = _stored_budget(election.budget)
    ballot = Ballot(title=_title(title, 200), budget_exact=budget_exact, currency=_currency(meta),
                    min_project_score=_threshold(election), source_meta=json.dumps(meta, ensure_ascii=False),
                    neighbourhood_id=hood.id, budget=budget, status="closed",
                    opens_at=opens, closes_at=closes, created_by=importer.id, vote_format=vote_format,
                    rule=rule if rule in RULE_NAMES else "greedy",
                    description=f"Imported from a Pabulib file ({meta.get('country', '')} "
                                f"{meta.get('unit', '')} {meta.get('instance', '')}).".replace("  ", " "),
                    requires_roll=False, requires_residence=False, requires_verified=False, min_age=None,
                    total_points=_count(meta, "max_sum_points"),
                    max_ranks=election.max_length if vote_format == "ranked" else None)
    session.add(ballot)
    await session.flush()
    assert ballot.id is not None and importer.id is not None and hood.id is not None
    session.add(BallotSecret(ballot_id=ballot.id, slot_key=secrets.token_bytes(32)))
    ids: dict[str, int] = {}
    rows = pb.project_rows()
    for position, project in enumerate(election.projects):
        proposal = Proposal(title=_title(project.name or f"Project {project.id}", 160), summary=f"Pabulib project "
                            f"{project.id}"[:500], category="other", neighbourhood_id=hood.id,
                            estimated_cost=_whole(project.cost, f"project {project.id}'s cost"),
                            validated_cost=_whole(project.cost, f"project {project.id}'s cost"),
                            proposer_id=importer.id, status="accepted")
        session.add(proposal)
        await session.flush()
        assert proposal.id is not None
        ids[project.id] = proposal.id
        session.add(BallotProposal(ballot_id=ballot.id, proposal_id=proposal.id, cost=proposal.validated_cost or 1,
                                   position=position, label=project.id,
                                   source_fields=json.dumps(rows[position], ensure_ascii=False)))
    await session.flush()
    await _store_votes(session, ballot.id, election, ids, progress)
    (columns, votes), dropped = (((pb.vote_columns, list(pb.votes)), []) if keep_extra_vote_columns
                                 else pabulib_columns_only(pb.vote_columns, pb.votes))
    session.add(SourceVotes(ballot_id=ballot.id, content=pack_votes(columns, votes)))  # public rows
    await session.flush()
    await record(session, actor=actor, action="ballot.imported", subject=f"ballot:{ballot.id}",
                 data={"sha256": hashlib.sha256(text.encode()).hexdigest(), "projects": len(ids),
                       "votes": election.voters, "rule": ballot.rule, "recorded_rule": rule,
                       "vote_columns": columns, "dropped_vote_columns": dropped})
    return ballot


async def _store_votes(session: AsyncSession, ballot_id: int, election: Any, ids: dict[str, int],
                       progress: Callable[[int, int], None] | None) -> None:
    """Bulk-load the ballot box with COPY: participation (channel ``imported``), votes, and their log leaves.

    The next batch's rows are made in a thread while PostgreSQL stores the current one (the work is Python's and
    PostgreSQL's in turn otherwise: about half each on a 90,000-vote file)."""
    connection = await (await session.connection()).get_raw_connection()
    driver: Any = connection.driver_connection
    total = election.voters
    starts = list(range(0, total, BATCH))
    if not starts:
        return
    made = asyncio.ensure_future(asyncio.to_thread(_batch_rows, ballot_id, election, ids, starts[0]))
    try:
        for number, start in enumerate(starts):
            participation, votes, leaves = await made
            if number + 1 < len(starts):
                made = asyncio.ensure_future(asyncio.to_thread(_batch_rows, ballot_id, election, ids,
                                                               starts[number + 1]))
            await driver.copy_records_to_table("participation", records=participation,
                                               columns=["ballot_id", "voter_ref", "channel", "age_band"])
            await driver.copy_records_to_table("vote", records=votes,
                                               columns=["ballot_id", "slot", "content", "commitment", "receipt_hash"])
            await driver.copy_records_to_table("vote_leaf", records=leaves,
                                               columns=["ballot_id", "receipt_key", "masked_commitment", "leaf_hash"])
            if progress:
                progress(min(start + BATCH, total), total)
    finally:  # after a failed COPY: let the batch being made finish, and drop it (its error too)
        with contextlib.suppress(Exception):
            await made


Rows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _batch_rows(ballot_id: int, election: Any, ids: dict[str, int], start: int) -> Rows:
    """The participation, vote and log-leaf rows of the votes from ``start`` (one batch)."""
    participation, votes, leaves = [], [], []
    chunk = election.ballots[start:start + BATCH]
    entropy = secrets.token_bytes(64 * len(chunk))  # one draw per batch: 16 + 16 + 32 bytes for each vote
    for at, pb_ballot in enumerate(chunk):
        drawn = entropy[64 * at:64 * at + 64]
        content = _content(pb_ballot, ids, election.vote_type)
        code = receipts.new_receipt_code(drawn[:16])  # nobody holds these receipts: the votes are historical
        code_hash = receipts.receipt_hash(code)
        commitment = receipts.commitment(ballot_id, content, code)
        participation.append((ballot_id, drawn[16:32].hex(), "imported", "unknown"))
        votes.append((ballot_id, drawn[32:], json.dumps(content, separators=(",", ":")), commitment, code_hash))
        log_key, masked = receipts.log_key(code), receipts.mask_commitment(code, commitment)
        leaf = merkle.leaf_hash(receipts.leaf_data(ballot_id, log_key, masked))
        leaves.append((ballot_id, log_key, masked, leaf))
    return participation, votes, leaves
