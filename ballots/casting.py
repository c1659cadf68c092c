"""Casting a vote: one transaction that locks the voter's participation row and upserts their vote slot."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots import merkle, receipts
from ballots.eligibility import Voter, age_band, refusals
from ballots.errors import ChannelConflict, InvalidVote, NotEligible, VotingClosed
from ballots.formats import canonical_content, validate_vote
from ballots.lifecycle import vote_refusal
from ballots.models import Ballot
from ballots.service import format_of, projects_of, rules_of, window_of
from voting.i18n import gettext as _

__all__ = ["CastReceipt", "VoterIdentity", "check_and_record", "record_vote", "slot_key"]


@dataclass(frozen=True)
class VoterIdentity:
    """Who is voting, as the ballot box sees them: a stable reference and what eligibility needs."""

    ref: str  # "a:<account id>", or "r:<roll entry id>" on a ballot with a roll
    voter: Voter


@dataclass(frozen=True)
class CastReceipt:
    ballot_id: int
    receipt: str
    commitment: str
    replaced_previous: bool
    replayed: bool
    channel: str


def _q(sql: str, **params: Any) -> Any:
    return text(sql).bindparams(**params)


async def slot_key(session: AsyncSession, ballot_id: int) -> bytes:
    """The ballot's HMAC key, created on first use (ballots seeded before the ballot box existed)."""
    found = (await session.exec(_q("SELECT slot_key FROM ballot_secret WHERE ballot_id = :b",  # type: ignore[call-overload]
                                   b=ballot_id))).first()
    if found is not None:
        return bytes(found[0])
    await session.exec(_q("INSERT INTO ballot_secret (ballot_id, slot_key) VALUES (:b, :k) "  # type: ignore[call-overload]
                          "ON CONFLICT DO NOTHING", b=ballot_id, k=secrets.token_bytes(32)))
    return await slot_key(session, ballot_id)


def _seal(key: str, slot: bytes, code: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(hashlib.sha256(b"receipt" + slot + key.encode()).digest()).encrypt(nonce, code.encode(),
                                                                                                None)


def _unseal(key: str, slot: bytes, sealed: bytes) -> str:
    aead = AESGCM(hashlib.sha256(b"receipt" + slot + key.encode()).digest())
    return aead.decrypt(sealed[:12], sealed[12:], None).decode()


def checked_content(ballot: Ballot, identity: VoterIdentity, projects: Any, choice: dict[str, Any],
                             now: datetime) -> dict[str, Any]:
    """The pure checks in order: the clock, eligibility, then the vote's shape; returns the stored content."""
    closed = vote_refusal(window_of(ballot), now)
    if closed:
        raise VotingClosed(closed)
    refused = refusals(rules_of(ballot), identity.voter, ballot.closes_at.date())
    if refused:
        raise NotEligible(_("You may not vote on this ballot."), refused)
    config = format_of(ballot)
    invalid = validate_vote(config, projects, choice)
    if invalid:
        raise InvalidVote(_("This vote is not valid."), invalid)
    return canonical_content(config, choice)


async def check_and_record(session: AsyncSession, ballot: Ballot, identity: VoterIdentity, choice: dict[str, Any],
                           *, channel: str, idempotency_key: str | None = None,
                           now: datetime | None = None) -> CastReceipt:
    """Validate (clock, eligibility, shape) then record; raises a DomainError before writing anything."""
    now = now or datetime.now(UTC)
    assert ballot.id is not None
    content = checked_content(ballot, identity, await projects_of(session, ballot.id), choice, now)
    band = age_band(identity.voter.birth_date, ballot.closes_at.date() if ballot.closes_at else date.today())
    return await record_vote(session, ballot.id, identity.ref, content, channel=channel, age_band=band,
                             idempotency_key=idempotency_key)


async def record_vote(session: AsyncSession, ballot_id: int, voter_ref: str, content: dict[str, Any], *,
                      channel: str, age_band: str = "unknown", idempotency_key: str | None = None) -> CastReceipt:
    """The ballot box: participation row (inserted, then locked), idempotency, vote upsert by slot, log leaf.

    The row lock serialises one voter's concurrent submissions; different voters never wait for each other.
    """
    slot = receipts.voter_slot(await slot_key(session, ballot_id), voter_ref)
    inserted = (await session.exec(_q(  # type: ignore[call-overload]
        "INSERT INTO participation (ballot_id, voter_ref, channel, age_band) VALUES (:b, :v, :c, :a) "
        "ON CONFLICT DO NOTHING RETURNING 1", b=ballot_id, v=voter_ref, c=channel, a=age_band))).first()
    existing = (await session.exec(_q(  # type: ignore[call-overload]
        "SELECT channel FROM participation WHERE ballot_id = :b AND voter_ref = :v FOR UPDATE",
        b=ballot_id, v=voter_ref))).one()[0]
    if existing != channel:
        raise ChannelConflict(_("A paper vote was already recorded for you; you cannot also vote online.")
                              if existing == "paper" else
                              _("This voter already voted online; a paper vote cannot be added."))
    request = receipts.request_hash(slot, idempotency_key) if idempotency_key else None
    if request is not None:
        sealed = (await session.exec(_q(  # type: ignore[call-overload]
            "SELECT sealed_receipt FROM vote_request WHERE ballot_id = :b AND request_hash = :r",
            b=ballot_id, r=request))).first()
        if sealed is not None:
            code = _unseal(idempotency_key or "", slot, bytes(sealed[0]))
            found = (await session.exec(_q("SELECT commitment FROM vote_leaf WHERE receipt_hash = :h",  # type: ignore[call-overload]
                                           h=receipts.receipt_hash(code)))).one()
            return CastReceipt(ballot_id, code, found[0], False, True, channel)
    if channel == "paper" and inserted is None:
        raise ChannelConflict(_("A paper vote was already recorded for this voter."))
    code = receipts.new_receipt_code()
    code_hash = receipts.receipt_hash(code)
    commitment = receipts.commitment(ballot_id, content, code)
    stored = (await session.exec(_q(  # type: ignore[call-overload]
        "INSERT INTO vote (ballot_id, slot, content, commitment, receipt_hash) "
        "VALUES (:b, :s, CAST(:c AS jsonb), :m, :h) ON CONFLICT (ballot_id, slot) DO UPDATE "
        "SET content = EXCLUDED.content, commitment = EXCLUDED.commitment, receipt_hash = EXCLUDED.receipt_hash "
        "RETURNING (xmax = 0)", b=ballot_id, s=slot, c=_json(content), m=commitment, h=code_hash))).one()
    leaf = merkle.leaf_hash(receipts.leaf_data(ballot_id, code_hash, commitment))
    await session.exec(_q(  # type: ignore[call-overload]
        "INSERT INTO vote_leaf (ballot_id, receipt_hash, commitment, leaf_hash) VALUES (:b, :h, :m, :l)",
        b=ballot_id, h=code_hash, m=commitment, l=leaf))
    if request is not None:
        await session.exec(_q(  # type: ignore[call-overload]
            "INSERT INTO vote_request (ballot_id, request_hash, sealed_receipt) VALUES (:b, :r, :s)",
            b=ballot_id, r=request, s=_seal(idempotency_key or "", slot, code)))
    return CastReceipt(ballot_id, code, commitment, not stored[0], False, channel)


def _json(content: dict[str, Any]) -> str:
    import json

    return json.dumps(content, separators=(",", ":"))
