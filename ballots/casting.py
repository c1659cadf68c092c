"""Casting a vote: one transaction that holds the ballot open, locks the voter's participation row and upserts
their vote slot.

The close is a barrier. A vote's first statement takes the ballot's barrier lock in shared mode and keeps it until
the vote commits or rolls back; closing and tallying take it exclusively (see ``ballots.service.load_ballot``), so
they wait for every vote in flight, and every vote that asks after them waits in line (PostgreSQL queues a shared
request behind a waiting exclusive one, so a stream of votes never starves a close) and then reads the ballot as
closed. The ballot box's first write checks again, in the database's own clock, that the ballot is open, so a
deadline passed between the read and the write refuses the vote.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots import merkle, receipts
from ballots.box import ballot_keys, box_secret
from ballots.eligibility import Rules, Voter, age_band, refusals
from ballots.envelopes import BoxKeys, Envelope, box_keys, seal
from ballots.errors import (
    BallotNotFound,
    ChannelConflict,
    IdempotencyConflict,
    InvalidVote,
    NotEligible,
    VotingClosed,
)
from ballots.formats import FormatConfig, Project, canonical_content, validate_vote
from ballots.lifecycle import Window, vote_refusal
from ballots.models import Ballot
from ballots.service import BALLOT_BARRIER, format_of, rules_of, window_of
from voting.database import transaction_driver
from voting.i18n import gettext as _

__all__ = ["BallotTerms", "CastReceipt", "VoterIdentity", "VotingBallot", "check_and_record", "checked_content",
           "content_digest", "load_for_vote", "record_vote", "replayed", "seal_request", "voting_ballot",
           "VOTE_COLUMNS"]


@dataclass(frozen=True)
class VoterIdentity:
    """Who is voting, as the ballot box sees them: a stable reference and what eligibility needs."""

    ref: str  # "a:<account id>", or "r:<roll entry id>" on a ballot with a roll
    voter: Voter


@dataclass(frozen=True)
class VotingBallot:
    """What casting needs, read in one query: the ballot, its projects and its box's keys (if it has a salt yet)."""

    ballot: Ballot
    projects: dict[int, Project]
    keys: BoxKeys | None
    now: datetime  # the database's clock when the ballot was locked

    @cached_property
    def terms(self) -> BallotTerms:
        """The ballot's terms, read from its row once per copy (a cached open ballot is one copy until reloaded)."""
        return BallotTerms.of(self.ballot)


VOTE_COLUMNS = (
    "SELECT b.*, s.slot_key, s.scheme, clock_timestamp() AS db_now, "
    "(SELECT coalesce(json_agg(json_build_array(p.proposal_id, p.cost)), '[]') "
    "FROM ballot_proposal p WHERE p.ballot_id = b.id) AS project_costs "
    "FROM ballot b LEFT JOIN ballot_secret s ON s.ballot_id = b.id")
_LOAD = (  # the barrier first (an InitPlan, run before any row is read), then the ballot FOR SHARE, which
    # conflicts with any update of the row: a close this vote waited for is re-read as committed (not KEY SHARE,
    # which a close that updates no key column would not make this vote re-read)
    f"{VOTE_COLUMNS} "  # noqa: S608 - the f-strings insert constants
    f"WHERE b.id = (SELECT $1::int FROM (SELECT pg_advisory_xact_lock_shared({BALLOT_BARRIER}, $1)) AS barrier) "
    "FOR SHARE OF b")


async def load_for_vote(session: AsyncSession, ballot_id: int) -> VotingBallot:
    """The ballot as it stands for a vote, locked against a close or a tally until this transaction ends."""
    row = await (await transaction_driver(session)).fetchrow(_LOAD, ballot_id)
    if row is None:
        raise BallotNotFound(_("No ballot number {id}.").format(id=ballot_id))
    return voting_ballot(row, ballot_id)


def voting_ballot(row: Any, ballot_id: int) -> VotingBallot:
    """What casting needs, from a row of ``_LOAD`` (or of the same columns read without its locks)."""
    costs = row["project_costs"]
    pairs = json.loads(costs) if isinstance(costs, str) else costs
    columns = set(row.keys())
    ballot = Ballot(**{name: row[name] for name in Ballot.model_fields if name in columns})
    keys = None if row["slot_key"] is None else box_keys(box_secret(), ballot_id, bytes(row["slot_key"]),
                                                         int(row["scheme"]))
    return VotingBallot(ballot, {int(pid): Project(int(pid), int(cost)) for pid, cost in pairs}, keys, row["db_now"])


@dataclass(frozen=True)
class CastReceipt:
    ballot_id: int
    receipt: str
    commitment: str
    replaced_previous: bool
    replayed: bool
    channel: str


def _sealing_key(key: str, slot: bytes) -> AESGCM:
    return AESGCM(hashlib.sha256(b"receipt" + slot + key.encode()).digest())


def seal_request(key: str, slot: bytes, code: str, content_digest: str) -> bytes:
    """The receipt and the digest of what was asked, readable only with the voter's slot and the request's key."""
    nonce = os.urandom(12)
    return nonce + _sealing_key(key, slot).encrypt(nonce, f"{code}\n{content_digest}".encode(), None)


def _unseal(key: str, slot: bytes, sealed: bytes) -> tuple[str, str | None]:
    """The receipt code and the content digest (None for requests sealed before digests were kept)."""
    code, _sep, digest = _sealing_key(key, slot).decrypt(sealed[:12], sealed[12:], None).decode().partition("\n")
    return code, digest or None


def content_digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class BallotTerms:
    """What the checks of a vote read from its ballot, taken from the row once (a cached open ballot keeps it)."""

    window: Window
    rules: Rules
    config: FormatConfig

    @classmethod
    def of(cls, ballot: Ballot) -> BallotTerms:
        return cls(window_of(ballot), rules_of(ballot), format_of(ballot))


def checked_content(ballot: Ballot, identity: VoterIdentity, projects: Any, choice: dict[str, Any],
                    now: datetime, terms: BallotTerms | None = None) -> dict[str, Any]:
    """The pure checks in order: the clock, eligibility, then the vote's shape; returns the stored content."""
    terms = terms or BallotTerms.of(ballot)
    closed = vote_refusal(terms.window, now)
    if closed:
        raise VotingClosed(closed)
    refused = refusals(terms.rules, identity.voter, ballot.closes_at.date())
    if refused:
        raise NotEligible(_("You may not vote on this ballot."), refused)
    config = terms.config
    invalid = validate_vote(config, projects, choice)
    if invalid:
        raise InvalidVote(_("This vote is not valid."), invalid)
    return canonical_content(config, choice)


async def check_and_record(session: AsyncSession, identity: VoterIdentity, choice: dict[str, Any],
                           loaded: VotingBallot, *, channel: str, idempotency_key: str | None = None,
                           now: datetime | None = None, correction: bool = False) -> CastReceipt:
    """Validate (clock, eligibility, shape) then record; raises a DomainError before writing anything.

    ``loaded`` comes from :func:`load_for_vote` in the same transaction, which holds the ballot open until commit.
    """
    ballot = loaded.ballot
    assert ballot.id is not None
    content = checked_content(ballot, identity, loaded.projects, choice, now or loaded.now)
    band = age_band(identity.voter.birth_date, ballot.closes_at.date() if ballot.closes_at else date.today())
    return await record_vote(session, ballot.id, identity.ref, content, channel=channel, age_band=band,
                             idempotency_key=idempotency_key, keys=loaded.keys, correction=correction)


_PARTICIPATE = (  # inserts nothing, so returns no row, unless the ballot is open in the database's clock
    "INSERT INTO participation (ballot_id, voter_ref, channel, age_band) SELECT $1, $2, $3, $4 FROM ballot "
    "WHERE id = $1 AND status = 'open' AND opens_at <= clock_timestamp() AND clock_timestamp() < closes_at "
    "ON CONFLICT (ballot_id, voter_ref) DO UPDATE SET channel = participation.channel "
    "RETURNING channel, (xmax = 0) AS inserted")
_SEAL = (  # one round trip: the sealed envelope, the log leaf, and the voter's current leaf; nothing here names the
    # vote's content or its published receipt hash, and the vote itself is written by the close
    "WITH envelope AS (INSERT INTO vote_envelope (ballot_id, sealed) VALUES ($1, $2)), "
    "leaf AS (INSERT INTO vote_leaf (ballot_id, receipt_key, masked_commitment, leaf_hash) VALUES ($1, $3, $4, $5)), "
    "voter AS (UPDATE participation SET receipt_key = $3 WHERE ballot_id = $1 AND voter_ref = $6) ")
_STORE = _SEAL + "SELECT 1"
_STORE_AND_REQUEST = (_SEAL +  # the same, remembering the idempotency key with the receipt sealed under it
                      ", request AS (INSERT INTO vote_request (ballot_id, request_hash, sealed_receipt) "
                      "VALUES ($1, $7, $8)) SELECT 1")


async def record_vote(session: AsyncSession, ballot_id: int, voter_ref: str, content: dict[str, Any], *,
                      channel: str, age_band: str = "unknown", idempotency_key: str | None = None,
                      keys: BoxKeys | None = None, correction: bool = False) -> CastReceipt:
    """The ballot box: participation row (inserted or locked), idempotency, the sealed envelope, the log leaf.

    The upsert of the voter's participation row takes its row lock, which serialises one voter's concurrent
    submissions until commit; different voters never wait for each other, and nothing global is locked. A later
    envelope of the same voter (same slot) replaces the earlier one when the close opens them.
    """
    keys = keys or await ballot_keys(session, ballot_id)
    slot = receipts.voter_slot(keys.slot, voter_ref)
    driver = await transaction_driver(session)
    participation = await driver.fetchrow(_PARTICIPATE, ballot_id, voter_ref, channel, age_band)
    if participation is None:
        raise VotingClosed(_("Voting is closed."))
    existing, inserted = participation
    if existing != channel:
        raise ChannelConflict(_("A paper vote was already recorded for you; you cannot also vote online.")
                              if existing == "paper" else
                              _("This voter already voted online; a paper vote cannot be added."))
    request = receipts.request_hash(slot, idempotency_key) if idempotency_key else None
    digest = content_digest(content)
    if request is not None and not inserted:
        replay = await _replay(driver, ballot_id, request, idempotency_key or "", slot, channel, digest)
        if replay is not None:
            return replay
    if channel == "paper" and not inserted and not correction:
        raise ChannelConflict(_("A paper vote was already recorded for this voter."))
    if correction and inserted:  # raised before anything else is written: the request rolls the row back
        raise ChannelConflict(_("This voter has no paper vote to correct."))
    code = receipts.new_receipt_code()
    commitment = receipts.commitment(ballot_id, content, code)
    sealed = seal(keys, ballot_id, Envelope(slot, content, receipts.receipt_hash(code), commitment))
    log_key, masked = receipts.log_key(code), receipts.mask_commitment(code, commitment)
    leaf = merkle.leaf_hash(receipts.leaf_data(ballot_id, log_key, masked))
    params: list[Any] = [ballot_id, sealed, log_key, masked, leaf, voter_ref]
    sql = _STORE
    if request is not None:
        sql = _STORE_AND_REQUEST
        params += [request, seal_request(idempotency_key or "", slot, code, digest)]
    await driver.execute(sql, *params)
    return CastReceipt(ballot_id, code, commitment, not inserted, False, channel)


async def _replay(driver: Any, ballot_id: int, request: bytes, idempotency_key: str, slot: bytes,
                  channel: str, digest: str) -> CastReceipt | None:
    """The receipt of an earlier request with the same idempotency key, if there was one; the same key with
    another vote is refused rather than answered with a receipt for what was not asked."""
    sealed = await driver.fetchval("SELECT sealed_receipt FROM vote_request WHERE ballot_id = $1 AND request_hash = $2",
                                   ballot_id, request)
    if sealed is None:
        return None
    return await replayed(driver, ballot_id, bytes(sealed), idempotency_key, slot, channel, digest)


async def replayed(driver: Any, ballot_id: int, sealed: bytes, idempotency_key: str, slot: bytes, channel: str,
                   digest: str) -> CastReceipt:
    """The receipt sealed under an earlier request's key, if that request asked for the same vote."""
    code, asked = _unseal(idempotency_key, slot, sealed)
    if asked is not None and asked != digest:
        raise IdempotencyConflict(_("The idempotency key {key} was already used for another vote: send a new key "
                                    "with a new vote.").format(key=idempotency_key))
    masked = await driver.fetchval("SELECT masked_commitment FROM vote_leaf WHERE receipt_key = $1",
                                   receipts.log_key(code))
    return CastReceipt(ballot_id, code, receipts.mask_commitment(code, masked), False, True, channel)
