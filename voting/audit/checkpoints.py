"""Pure rules for signed audit checkpoints: what is signed, when one is due, and how a saved one is checked."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["Checkpoint", "CheckpointError", "TRANSITIONS", "checkpoint_due", "signed_bytes", "sign_checkpoint",
           "verify_signature", "parse_checkpoint"]

TRANSITIONS = frozenset({"open", "opened", "close", "closed", "tallied", "published", "cancelled"})
KIND = "greenballot-audit-checkpoint/1"


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read, or whose signature does not verify."""


@dataclass(frozen=True)
class Checkpoint:
    """The audit log's head at ``seq``: anyone holding it can later prove the log still extends it."""

    seq: int
    head_hash: str
    at: str
    kid: str
    signature: str = ""

    def to_json(self) -> str:
        return json.dumps({"kind": KIND, **asdict(self)}, indent=2, sort_keys=True)


def checkpoint_due(seq: int, action: str, every: int) -> bool:
    """At every ballot transition, and every ``every`` entries."""
    prefix, _, verb = action.partition(".")
    return (prefix == "ballot" and verb in TRANSITIONS) or (every > 0 and seq % every == 0)


def signed_bytes(checkpoint: Checkpoint) -> bytes:
    return rfc8785.dumps({"kind": KIND, "seq": checkpoint.seq, "head_hash": checkpoint.head_hash,
                          "at": checkpoint.at, "kid": checkpoint.kid})


def sign_checkpoint(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> Checkpoint:
    signature = base64.b64encode(key.sign(signed_bytes(checkpoint))).decode()
    return Checkpoint(checkpoint.seq, checkpoint.head_hash, checkpoint.at, checkpoint.kid, signature)


def verify_signature(checkpoint: Checkpoint, keys: dict[str, Ed25519PublicKey]) -> None:
    key = keys.get(checkpoint.kid)
    if key is None:
        raise CheckpointError(f"checkpoint at {checkpoint.seq} is signed by unknown key {checkpoint.kid}")
    try:
        key.verify(base64.b64decode(checkpoint.signature), signed_bytes(checkpoint))
    except (InvalidSignature, ValueError) as error:
        raise CheckpointError(f"checkpoint at {checkpoint.seq} has a bad signature") from error


def parse_checkpoint(text: str) -> Checkpoint:
    try:
        data: Any = json.loads(text)
        if data.get("kind") != KIND:
            raise CheckpointError("not a greenballot audit checkpoint")
        return Checkpoint(seq=int(data["seq"]), head_hash=str(data["head_hash"]), at=str(data["at"]),
                          kid=str(data["kid"]), signature=str(data["signature"]))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise CheckpointError(f"cannot read the checkpoint: {error}") from error
