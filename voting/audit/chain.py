"""Pure hash-chain rules: how an entry is hashed and how a sequence of entries is verified."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785

__all__ = [
    "GENESIS_HASH",
    "FORBIDDEN_KEYS",
    "ChainEntry",
    "ChainBreak",
    "entry_hash",
    "format_time",
    "check_data",
    "verify_chain",
]

GENESIS_HASH = "0" * 64
FORBIDDEN_KEYS = frozenset({"password", "password_hash", "token", "access_token", "jwt", "choices", "vote"})


@dataclass(frozen=True)
class ChainEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    data: Mapping[str, Any]
    prev_hash: str
    hash: str = ""


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which the chain stops being what it claims."""

    seq: int
    reason: str


def format_time(at: datetime) -> str:
    """The timestamp as hashed: UTC, microseconds, ISO 8601 with a ``Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_data(data: Mapping[str, Any]) -> None:
    """Refuse audit data that would store a secret or a vote choice."""
    for key, value in data.items():
        if key.lower() in FORBIDDEN_KEYS:
            raise ValueError(f"audit data must not hold {key!r}")
        if isinstance(value, Mapping):
            check_data(value)


def entry_hash(entry: ChainEntry) -> str:
    """SHA-256 over the canonical JSON of every field of the entry but its own hash."""
    document: dict[str, Any] = {
        "seq": entry.seq,
        "at": format_time(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "data": dict(entry.data),
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()  # type: ignore[arg-type]


def verify_chain(entries: Iterable[ChainEntry], *, start_seq: int = 1, start_hash: str = GENESIS_HASH) -> tuple[
    int, ChainBreak | None
]:
    """Walk entries in stored order; return how many were good and the first break, if any."""
    expected_seq, expected_prev, count = start_seq, start_hash, 0
    for entry in entries:
        if entry.seq != expected_seq:
            missing = "missing or inserted" if entry.seq > expected_seq else "out of order or duplicated"
            return count, ChainBreak(expected_seq, f"expected sequence number {expected_seq}, found {entry.seq} "
                                                   f"({missing})")
        if entry.prev_hash != expected_prev:
            return count, ChainBreak(entry.seq, "previous hash does not match the entry before it")
        if entry_hash(entry) != entry.hash:
            return count, ChainBreak(entry.seq, "content does not match its hash (edited)")
        expected_seq, expected_prev, count = entry.seq + 1, entry.hash, count + 1
    return count, None
