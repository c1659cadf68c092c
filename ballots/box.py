"""The ballot box's keys and its opening at the close: the instance secret, and the envelopes turned into votes."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ballots.envelopes import DERIVED_SCHEME, BoxKeys, box_keys, last_per_slot, open_envelope, shuffled
from voting.database import transaction_driver

__all__ = ["configure_box_secret", "box_secret", "ballot_keys", "open_ballot_box", "sealed_count"]

_secret: bytes | None = None


def configure_box_secret(secret: str | bytes) -> None:
    """The instance secret the ballot boxes' keys derive from (``GREENBALLOT_SECRET``, else the data directory's
    ``secret.key``), the same on every host of an instance. Set once per process (by the app factory, or on
    first use from the settings); later calls keep the first, so one process never seals and opens with two."""
    global _secret
    if _secret is None:
        _secret = secret.encode() if isinstance(secret, str) else secret


def box_secret() -> bytes:
    """The configured secret, or the one the settings of this process name (environment and data directory)."""
    if _secret is None:
        from voting.config import load_or_create_secret, load_settings

        settings = load_settings()
        configure_box_secret(settings.secret or load_or_create_secret(settings.data_dir))
    assert _secret is not None
    return _secret


async def ballot_keys(session: AsyncSession, ballot_id: int) -> BoxKeys:
    """The ballot's keys; a ballot without its salt yet (made before the ballot box existed) gets one now."""
    import secrets

    driver = await transaction_driver(session)
    row = await driver.fetchrow("SELECT slot_key, scheme FROM ballot_secret WHERE ballot_id = $1", ballot_id)
    if row is None:
        await driver.execute("INSERT INTO ballot_secret (ballot_id, slot_key, scheme) VALUES ($1, $2, $3) "
                             "ON CONFLICT DO NOTHING", ballot_id, secrets.token_bytes(32), DERIVED_SCHEME)
        return await ballot_keys(session, ballot_id)
    return box_keys(box_secret(), ballot_id, bytes(row["slot_key"]), int(row["scheme"]))


_STORE = (  # one statement, rows in the shuffled order given: they share the close's transaction and nothing else
    "INSERT INTO vote (ballot_id, slot, content, commitment, receipt_hash) "
    "SELECT $1, t.slot, CAST(t.content AS jsonb), t.commitment, t.receipt "
    "FROM unnest($2::bytea[], $3::text[], $4::text[], $5::text[]) AS t(slot, content, commitment, receipt) "
    "ON CONFLICT (ballot_id, slot) DO UPDATE SET content = EXCLUDED.content, commitment = EXCLUDED.commitment, "
    "receipt_hash = EXCLUDED.receipt_hash")


async def open_ballot_box(session: AsyncSession, ballot_id: int) -> int:
    """At the close, in its transaction: open every envelope, keep each voter's last, write them shuffled.

    Returns how many votes were written. Called once the close holds the ballot's barrier, so no envelope can
    arrive after it; an envelope this instance's secret cannot open stops the close (``EnvelopeError``).
    """
    keys = await ballot_keys(session, ballot_id)
    driver: Any = await transaction_driver(session)
    rows = await driver.fetch("DELETE FROM vote_envelope WHERE ballot_id = $1 RETURNING id, sealed", ballot_id)
    if not rows:
        return 0
    votes = shuffled(last_per_slot((row["id"], open_envelope(keys, ballot_id, bytes(row["sealed"]))) for row in rows))
    await driver.execute(_STORE, ballot_id, [vote.slot for vote in votes],
                         [json.dumps(vote.content, separators=(",", ":")) for vote in votes],
                         [vote.commitment for vote in votes], [vote.receipt_hash for vote in votes])
    return len(votes)


async def sealed_count(session: AsyncSession, ballot_id: int) -> int:
    driver: Any = await transaction_driver(session)
    return int(await driver.fetchval("SELECT count(*) FROM vote_envelope WHERE ballot_id = $1", ballot_id))
