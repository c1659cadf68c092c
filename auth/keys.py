"""Ed25519 key pairs stored in the database, optionally encrypted with a key-encryption secret."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.tokens import KeyRing
from voting.models import SigningKey

__all__ = ["KeySecretError", "create_key", "ensure_key", "load_ring", "public_pem", "private_key_of",
           "load_public_keys", "current_key", "rotate_key", "published_keys"]


class KeySecretError(RuntimeError):
    """A key is stored encrypted and the key-encryption secret is missing or wrong."""


def _kek(secret: str) -> AESGCM:
    key = HKDF(algorithm=SHA256(), length=32, salt=b"greenballot-kek", info=b"signing-key").derive(secret.encode())
    return AESGCM(key)


def _seal(raw: bytes, secret: str | None) -> tuple[str, bool]:
    if not secret:
        return base64.b64encode(raw).decode(), False
    nonce = os.urandom(12)
    return base64.b64encode(nonce + _kek(secret).encrypt(nonce, raw, b"greenballot")).decode(), True


def _open(stored: str, encrypted: bool, secret: str | None) -> bytes:
    blob = base64.b64decode(stored)
    if not encrypted:
        return blob
    if not secret:
        raise KeySecretError("signing keys are encrypted: set GREENBALLOT_KEY_SECRET")
    try:
        return _kek(secret).decrypt(blob[:12], blob[12:], b"greenballot")
    except Exception as error:
        raise KeySecretError("GREENBALLOT_KEY_SECRET does not decrypt the stored signing keys") from error


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def private_key_of(row: SigningKey, secret: str | None) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_open(row.private_key, row.encrypted, secret))


async def create_key(session: AsyncSession, purpose: str, secret: str | None) -> SigningKey:
    """Make a new key for ``purpose`` and retire the previous current one (its public half stays)."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    digest = hashlib.sha256(public_pem(private.public_key()).encode()).hexdigest()[:16]
    kid = f"{purpose[:3]}-{datetime.now(UTC):%Y%m%d}-{digest}-{secrets.token_hex(2)}"
    stored, encrypted = _seal(raw, secret)
    now = datetime.now(UTC)
    for old in (await session.exec(select(SigningKey).where(SigningKey.purpose == purpose,
                                                            col(SigningKey.retired_at).is_(None)))).all():
        old.retired_at = now
        session.add(old)
    row = SigningKey(kid=kid, purpose=purpose, public_key=public_pem(private.public_key()), private_key=stored,
                     encrypted=encrypted)
    session.add(row)
    await session.flush()
    return row


async def current_key(session: AsyncSession, purpose: str) -> SigningKey | None:
    return (await session.exec(select(SigningKey).where(SigningKey.purpose == purpose,
                                                        col(SigningKey.retired_at).is_(None))
                               .order_by(col(SigningKey.created_at).desc()))).first()


async def ensure_key(session: AsyncSession, purpose: str, secret: str | None) -> SigningKey:
    """The current key for ``purpose``, created on first use."""
    return await current_key(session, purpose) or await create_key(session, purpose, secret)


async def load_public_keys(session: AsyncSession, purpose: str) -> dict[str, Ed25519PublicKey]:
    rows = (await session.exec(select(SigningKey).where(SigningKey.purpose == purpose))).all()
    keys: dict[str, Ed25519PublicKey] = {}
    for row in rows:
        loaded = serialization.load_pem_public_key(row.public_key.encode())
        assert isinstance(loaded, Ed25519PublicKey)
        keys[row.kid] = loaded
    return keys


async def load_ring(session: AsyncSession, secret: str | None) -> KeyRing:
    row = await ensure_key(session, "tokens", secret)
    return KeyRing(current_kid=row.kid, current_private=private_key_of(row, secret),
                   public=await load_public_keys(session, "tokens"))


async def rotate_key(session: AsyncSession, *, purpose: str, secret: str | None, actor: str) -> SigningKey:
    """A new current key for ``purpose``; the old public keys stay for verification. Audited."""
    from voting.audit.service import record
    from voting.domain import DomainError

    if purpose not in ("tokens", "signing"):
        raise DomainError(f"unknown key purpose {purpose!r} (tokens or signing)")
    previous = await current_key(session, purpose)
    row = await create_key(session, purpose, secret)
    await record(session, actor=actor, action="key.rotated", subject=f"key:{row.kid}",
                 data={"purpose": purpose, "previous": previous.kid if previous else None,
                       "encrypted": row.encrypted})
    return row


async def published_keys(session: AsyncSession) -> list[dict[str, str | None]]:
    """Every public key ever used, for the well-known URL and ``greenballot keys``."""
    rows = (await session.exec(select(SigningKey).order_by(col(SigningKey.created_at)))).all()
    return [{"kid": row.kid, "purpose": row.purpose, "algorithm": "Ed25519", "public_key": row.public_key,
             "created_at": row.created_at.isoformat() if row.created_at else None,
             "retired_at": row.retired_at.isoformat() if row.retired_at else None} for row in rows]
