"""Pure: detached Ed25519 signatures of export files, and their verification."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = ["SignatureProblem", "sign_bytes", "verify_bytes", "public_keys_from_json"]


class SignatureProblem(ValueError):
    """A signature that is missing, unreadable, by an unknown key, or not matching the file."""


def sign_bytes(name: str, content: bytes, key: Ed25519PrivateKey, kid: str) -> str:
    """The ``.sig`` file for ``name``: JSON with the key id, the SHA-256 and the signature of the content."""
    return json.dumps({"kind": "greenballot-signature/1", "file": name, "algorithm": "Ed25519", "kid": kid,
                       "sha256": hashlib.sha256(content).hexdigest(),
                       "signature": base64.b64encode(key.sign(content)).decode()}, indent=2, sort_keys=True) + "\n"


def verify_bytes(name: str, content: bytes, signature_text: str, keys: dict[str, Ed25519PublicKey]) -> str:
    """Check a detached signature; return the key id that signed it."""
    try:
        signature: Any = json.loads(signature_text)
        kid, raw = str(signature["kid"]), base64.b64decode(signature["signature"])
    except (ValueError, KeyError, TypeError) as error:
        raise SignatureProblem(f"{name}.sig cannot be read") from error
    if kid not in keys:
        raise SignatureProblem(f"{name} is signed by unknown key {kid}")
    try:
        keys[kid].verify(raw, content)
    except InvalidSignature as error:
        raise SignatureProblem(f"{name} does not match its signature (the file was changed after signing)") from error
    return kid


def public_keys_from_json(text: str) -> dict[str, Ed25519PublicKey]:
    """Keys as published at ``/.well-known/greenballot-keys.json`` (a list of {kid, public_key, ...})."""
    keys: dict[str, Ed25519PublicKey] = {}
    for entry in json.loads(text):
        loaded = serialization.load_pem_public_key(entry["public_key"].encode())
        if isinstance(loaded, Ed25519PublicKey):
            keys[str(entry["kid"])] = loaded
    return keys
