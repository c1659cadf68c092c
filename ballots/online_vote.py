"""An online vote in one statement: the hot path of a ballot that is open and has no voter roll to look up.

The ballot (its projects, rules and box keys) comes from the per-process cache of open ballots (``voting.reference``:
every ballot change notifies, so a cached ballot is never older than a commit), the voter from their login, and
the checks that need nothing stored (the clock, eligibility, the vote's shape) run before the database is asked.
Then one statement, in its own transaction, does what :mod:`ballots.casting` does in several:

1. takes the ballot's barrier in shared mode before reading any row, then the ballot ``FOR SHARE`` (which
   conflicts with any update of the row, so a close in progress is waited for and the row re-read as the close
   left it: closed), and checks it open in the database's clock;
2. upserts the voter's participation row (its row lock serialises one voter's concurrent votes; another channel's
   row is left as it is and refused);
3. unless an earlier request with the same idempotency key is found (answered with its receipt), writes the
   sealed envelope, the log leaf, the voter's current receipt key and the sealed request.

A concurrent request with the same key that commits first makes this one fail on the request's primary key: it is
then answered like a retry. Ballots with a roll, or not cached as open with keys, take
:func:`ballots.votes.cast_online`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import async_sessionmaker

from auth.principal import Principal
from ballots import merkle, receipts
from ballots.casting import (
    VOTE_COLUMNS,
    CastReceipt,
    VotingBallot,
    checked_content,
    content_digest,
    replayed,
    seal_request,
    voting_ballot,
)
from ballots.eligibility import age_band
from ballots.envelopes import DERIVED_SCHEME, Envelope, seal
from ballots.errors import ChannelConflict, VotingClosed
from ballots.service import BALLOT_BARRIER
from ballots.voters import voter_identity
from ballots.votes import cast_online
from voting.database import driver_connection
from voting.i18n import gettext as _
from voting.reference import reference

__all__ = ["cast_online_vote", "open_ballot"]

_READ = f"{VOTE_COLUMNS} WHERE b.id = $1"  # noqa: S608 - a constant

_NEW_SECRET = ("INSERT INTO ballot_secret (ballot_id, slot_key, scheme) VALUES ($1, $2, $3) "  # noqa: S105
               "ON CONFLICT DO NOTHING")

_CAST = (
    "WITH p AS (INSERT INTO participation (ballot_id, voter_ref, channel, age_band, receipt_key) "  # noqa: S608
    "SELECT b.id, $6, 'online', $7, $3 FROM ballot b "
    f"WHERE b.id = (SELECT $1::int FROM (SELECT pg_advisory_xact_lock_shared({BALLOT_BARRIER}, $1)) AS barrier) "
    "AND b.status = 'open' AND b.opens_at <= clock_timestamp() AND clock_timestamp() < b.closes_at "
    "FOR SHARE OF b "
    "ON CONFLICT (ballot_id, voter_ref) DO UPDATE SET receipt_key = CASE WHEN participation.channel = 'online' "
    "AND NOT EXISTS (SELECT 1 FROM vote_request r WHERE r.ballot_id = $1 AND r.request_hash = $8) "
    "THEN EXCLUDED.receipt_key ELSE participation.receipt_key END "
    "RETURNING channel, (xmax = 0) AS inserted), "
    "prior AS (SELECT sealed_receipt FROM vote_request WHERE ballot_id = $1 AND request_hash = $8), "
    "ok AS (SELECT 1 FROM p WHERE p.channel = 'online' AND NOT EXISTS (SELECT 1 FROM prior)), "
    "envelope AS (INSERT INTO vote_envelope (ballot_id, sealed) SELECT $1, $2 FROM ok), "
    "leaf AS (INSERT INTO vote_leaf (ballot_id, receipt_key, masked_commitment, leaf_hash) "
    "SELECT $1, $3, $4, $5 FROM ok), "
    "request AS (INSERT INTO vote_request (ballot_id, request_hash, sealed_receipt) "
    "SELECT $1, $8, $9 FROM ok WHERE $8::bytea IS NOT NULL) "
    "SELECT p.channel, p.inserted, (SELECT sealed_receipt FROM prior) AS prior FROM p")


async def open_ballot(session_maker: async_sessionmaker[Any], ballot_id: int) -> VotingBallot | None:
    """The ballot as a vote needs it if it is open and its box has keys, else None (cached while listening)."""
    async def load() -> VotingBallot | None:
        async with driver_connection(session_maker) as driver:
            row = await driver.fetchrow(_READ, ballot_id)
            if row is not None and row["status"] == "open" and row["slot_key"] is None:  # its first vote
                await driver.execute(_NEW_SECRET, ballot_id, secrets.token_bytes(32), DERIVED_SCHEME)
                row = await driver.fetchrow(_READ, ballot_id)
        if row is None or row["status"] != "open" or row["slot_key"] is None:
            return None
        return voting_ballot(row, ballot_id)

    return await reference.get_or_load(("open-ballot", ballot_id), load)


async def cast_online_vote(session_maker: async_sessionmaker[Any], principal: Principal, ballot_id: int,
                           choice: dict[str, Any], idempotency_key: str | None = None,
                           now: datetime | None = None) -> CastReceipt:
    """The logged-in voter's vote, or its replacement; committed when this returns."""
    key = (idempotency_key or "").strip()[:200] or None
    loaded = await open_ballot(session_maker, ballot_id)
    if loaded is None or loaded.ballot.requires_roll or loaded.ballot.group_id is not None or loaded.keys is None:
        async with session_maker() as session, session.begin():
            return await cast_online(session, principal, ballot_id, choice, key, now)
    ballot, keys = loaded.ballot, loaded.keys
    identity = voter_identity(principal)
    content = checked_content(ballot, identity, loaded.projects, choice, now or datetime.now(UTC), loaded.terms)
    band = age_band(identity.voter.birth_date, ballot.closes_at.date() if ballot.closes_at else date.today())
    slot = receipts.voter_slot(keys.slot, identity.ref)
    digest = content_digest(content)
    code = receipts.new_receipt_code()
    commitment = receipts.commitment(ballot_id, content, code)
    sealed = seal(keys, ballot_id, Envelope(slot, content, receipts.receipt_hash(code), commitment))
    log_key, masked = receipts.log_key(code), receipts.mask_commitment(code, commitment)
    leaf = merkle.leaf_hash(receipts.leaf_data(ballot_id, log_key, masked))
    request = receipts.request_hash(slot, key) if key else None
    sealed_request = seal_request(key, slot, code, digest) if key else None
    async with driver_connection(session_maker) as driver:
        try:
            row = await _execute(driver, ballot_id, sealed, log_key, masked, leaf, identity.ref, band, request,
                                 sealed_request)
        except asyncpg.UniqueViolationError as error:
            if request is None or error.constraint_name != "vote_request_pkey":
                raise
            prior = await driver.fetchval("SELECT sealed_receipt FROM vote_request WHERE ballot_id = $1 "
                                          "AND request_hash = $2", ballot_id, request)
            return await replayed(driver, ballot_id, bytes(prior), key or "", slot, "online", digest)
        if row is None:
            raise VotingClosed(_("Voting is closed."))
        channel, inserted, prior = row
        if channel != "online":
            raise ChannelConflict(_("A paper vote was already recorded for you; you cannot also vote online."))
        if prior is not None:
            return await replayed(driver, ballot_id, bytes(prior), key or "", slot, channel, digest)
    return CastReceipt(ballot_id, code, commitment, not inserted, False, "online")


async def _execute(driver: Any, *params: Any) -> Any:
    """The statement in a transaction of its own; inside a caller's transaction (tests), in a savepoint."""
    if driver.is_in_transaction():
        async with driver.transaction():
            return await driver.fetchrow(_CAST, *params)
    return await driver.fetchrow(_CAST, *params)
