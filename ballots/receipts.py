"""Receipt codes, commitments to a vote's content, and the log leaf that records both."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

import rfc8785

__all__ = ["canonical_json", "new_receipt_code", "normalise_code", "receipt_hash", "commitment", "leaf_data",
           "voter_slot", "request_hash", "log_key", "mask_commitment"]


def new_receipt_code(random_bytes: bytes | None = None) -> str:
    """128 random bits in base32 (26 characters, no padding), grouped for reading aloud; ``random_bytes`` (16 bytes
    from ``secrets``) for a caller that draws the randomness of many codes at once."""
    if random_bytes is None:
        random_bytes = secrets.token_bytes(16)
    elif len(random_bytes) != 16:
        raise ValueError("a receipt code takes 16 random bytes")
    raw = base64.b32encode(random_bytes).decode().rstrip("=")
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalise_code(code: str) -> str:
    """Upper-case, without dashes or spaces: what is hashed."""
    return "".join(filter(str.isalnum, code.upper()))


def receipt_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def commitment(ballot_id: int, content: dict[str, Any], code: str) -> str:
    """SHA-256 over the canonical JSON (RFC 8785) of the ballot, the content and the receipt as nonce."""
    document: dict[str, Any] = {"ballot": ballot_id, "content": content, "nonce": normalise_code(code)}
    return hashlib.sha256(canonical_json(document)).hexdigest()


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON. Where every number is an integer below 2**53 and every string and key is ASCII,
    it is exactly what ``json.dumps`` writes with sorted keys and no spaces (the same escapes, the same order),
    several times quicker; anything else goes to ``rfc8785``."""
    if _plain(value):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return rfc8785.dumps(value)


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is int:
        return -(2**53) < value < 2**53
    if kind is str:
        return value.isascii()
    if kind is list:
        return all(_plain(item) for item in value)
    if kind is dict:
        return all(type(key) is str and key.isascii() and _plain(item) for key, item in value.items())
    return value is None or kind is bool


def log_key(code: str) -> str:
    """The receipt's name in the vote log: another hash of the code than the bulletin board's ``receipt_hash``,
    so that a log leaf (written in the voter's transaction) cannot be matched to a published vote without it."""
    return hashlib.sha256(b"greenballot log\x00" + normalise_code(code).encode()).hexdigest()


def mask_commitment(code: str, commitment_hex: str) -> str:
    """The commitment as the log keeps it: XOR-ed with a pad only the receipt's holder can compute (self-inverse)."""
    pad = hashlib.sha256(b"greenballot mask\x00" + normalise_code(code).encode()).digest()
    masked = int(commitment_hex, 16) ^ int.from_bytes(pad, "big")
    if len(commitment_hex) != 2 * len(pad):
        raise ValueError("a commitment is 32 bytes")
    return masked.to_bytes(len(pad), "big").hex()


def leaf_data(ballot_id: int, receipt: str, commitment_hex: str) -> bytes:
    """The bytes a log leaf records: the receipt's log key and its masked commitment (no voter, no time, and
    nothing that names a published vote without the receipt code)."""
    if type(ballot_id) is int and abs(ballot_id) < 2**53 and all(text.isascii() and text.isalnum()
                                                                  for text in (commitment_hex, receipt)):
        # what RFC 8785 writes for these three keys when both strings need no escape (the common case, quicker)
        return f'{{"ballot":{ballot_id},"commitment":"{commitment_hex}","receipt":"{receipt}"}}'.encode()
    return rfc8785.dumps({"ballot": ballot_id, "commitment": commitment_hex, "receipt": receipt})


def voter_slot(secret: bytes, voter_ref: str) -> bytes:
    """The vote row's key: unlinkable to the voter without the ballot's secret."""
    return hmac.new(secret, voter_ref.encode(), hashlib.sha256).digest()


def request_hash(slot: bytes, idempotency_key: str) -> bytes:
    return hashlib.sha256(slot + b"\x00" + idempotency_key.encode()).digest()
