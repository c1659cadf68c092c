"""Pure checkpoint rules: when one is due, what is signed, and that a changed field breaks the signature."""

from __future__ import annotations

from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from voting.audit.checkpoints import (
    Checkpoint,
    CheckpointError,
    checkpoint_due,
    parse_checkpoint,
    sign_checkpoint,
    verify_signature,
)


@pytest.mark.parametrize(("seq", "action", "due"), [
    (7, "ballot.opened", True), (7, "ballot.closed", True), (7, "ballot.published", True),
    (7, "ballot.cancelled", True), (7, "ballot.created", False), (7, "proposal.accepted", False),
    (200, "auth.login", True), (201, "auth.login", False),
])
def test_checkpoint_due(seq, action, due):
    assert checkpoint_due(seq, action, 100) is due


def test_signature_round_trip_and_tampering():
    key = Ed25519PrivateKey.generate()
    signed = sign_checkpoint(Checkpoint(12, "ab" * 32, "2026-11-25T12:00:00.000000Z", "sig-1"), key)
    keys = {"sig-1": key.public_key()}
    verify_signature(parse_checkpoint(signed.to_json()), keys)
    for changed in (replace(signed, seq=13), replace(signed, head_hash="cd" * 32), replace(signed, at="x")):
        with pytest.raises(CheckpointError, match="bad signature"):
            verify_signature(changed, keys)
    with pytest.raises(CheckpointError, match="unknown key"):
        verify_signature(replace(signed, kid="sig-2"), keys)


@pytest.mark.parametrize("text", ["", "[]", '{"kind": "other"}', '{"kind": "greenballot-audit-checkpoint/1"}'])
def test_unreadable_checkpoints(text):
    with pytest.raises(CheckpointError):
        parse_checkpoint(text)
