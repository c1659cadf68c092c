"""The double envelope, pure: the keys a ballot's box derives from the instance secret, sealing a vote in the
voter's transaction, and opening and shuffling the envelopes at the close.

Like a French postal vote, the voter's transaction records who voted (``participation``) and drops an envelope
whose content only the close can read. The close opens every envelope at once, keeps each voter's last one, and
writes the votes in a random order, so that no transaction id, row position or key ties a vote to its voter.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["BoxKeys", "Envelope", "EnvelopeError", "box_keys", "seal", "open_envelope", "last_per_slot", "shuffled",
           "LEGACY_SCHEME", "DERIVED_SCHEME"]

LEGACY_SCHEME = 1
"""Ballots created before the double envelope: ``ballot_secret.slot_key`` is the slot key itself."""
DERIVED_SCHEME = 2
"""``ballot_secret.slot_key`` is only a salt: the keys come from the instance secret, which no dump holds."""


class EnvelopeError(ValueError):
    """An envelope that this instance's secret cannot open (the secret changed, or the row was altered)."""


@dataclass(frozen=True)
class BoxKeys:
    slot: bytes  # HMAC key turning a voter reference into their vote slot
    envelope: bytes  # AES-256-GCM key of the ballot's envelopes


@dataclass(frozen=True)
class Envelope:
    slot: bytes
    content: dict[str, Any]
    receipt_hash: str
    commitment: str


def _derive(secret: bytes, label: bytes, ballot_id: int, salt: bytes) -> bytes:
    return hmac.new(secret, b"greenballot " + label + b"\x00" + ballot_id.to_bytes(8, "big") + salt,
                    hashlib.sha256).digest()


def box_keys(secret: bytes, ballot_id: int, salt: bytes, scheme: int = DERIVED_SCHEME) -> BoxKeys:
    """The ballot's keys: derived from the instance secret and the ballot's stored salt."""
    slot = salt if scheme == LEGACY_SCHEME else _derive(secret, b"slot", ballot_id, salt)
    return BoxKeys(slot=slot, envelope=_derive(secret, b"envelope", ballot_id, salt))


def _aad(ballot_id: int) -> bytes:
    return b"greenballot envelope " + str(ballot_id).encode()


def seal(keys: BoxKeys, ballot_id: int, envelope: Envelope) -> bytes:
    """Nonce and AES-GCM ciphertext of the vote, bound to its ballot."""
    plain = json.dumps({"slot": envelope.slot.hex(), "content": envelope.content, "receipt": envelope.receipt_hash,
                        "commitment": envelope.commitment}, separators=(",", ":"), sort_keys=True).encode()
    nonce = os.urandom(12)
    return nonce + AESGCM(keys.envelope).encrypt(nonce, plain, _aad(ballot_id))


def open_envelope(keys: BoxKeys, ballot_id: int, sealed: bytes) -> Envelope:
    try:
        plain = AESGCM(keys.envelope).decrypt(sealed[:12], sealed[12:], _aad(ballot_id))
    except InvalidTag as error:
        raise EnvelopeError("an envelope does not open with this instance's secret") from error
    data = json.loads(plain)
    return Envelope(bytes.fromhex(data["slot"]), data["content"], data["receipt"], data["commitment"])


def last_per_slot(envelopes: Iterable[tuple[int, Envelope]]) -> list[Envelope]:
    """Each voter's last vote: envelopes come with their sequence, and a later one replaces an earlier one."""
    latest: dict[bytes, tuple[int, Envelope]] = {}
    for sequence, envelope in envelopes:
        kept = latest.get(envelope.slot)
        if kept is None or sequence > kept[0]:
            latest[envelope.slot] = (sequence, envelope)
    return [envelope for _sequence, envelope in latest.values()]


def shuffled(items: list[Envelope]) -> list[Envelope]:
    """A uniformly random order from the operating system's generator (the order rows are written in)."""
    order = list(items)
    secrets.SystemRandom().shuffle(order)
    return order
