"""Ed25519 key pairs stored in the database: the private half encrypted under the key-encryption secret, and
destroyed when the key is retired (the public half stays, for old signatures)."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.tokens import KeyRing
from voting.models import SigningKey

__all__ = ["KeySecretError", "configure_key_secret", "key_secret", "create_key", "ensure_key", "load_ring",
           "public_pem", "private_key_of", "load_public_keys", "current_key", "published_keys"]

_configured: str | None = None


class KeySecretError(RuntimeError):
    """A key is stored encrypted and the key-encryption secret is missing or wrong."""


def configure_key_secret(secret: str) -> None:
    """The key-encryption secret of this process (the app factory sets it from the settings)."""
    global _configured
    _configured = secret


def key_secret() -> str:
    """The configured secret, else the one this process's settings name (``GREENBALLOT_KEY_SECRET``, or
    ``key-secret.key`` in the data directory, generated on first use)."""
    if _configured is None:
        from voting.config import load_or_create_key_secret, load_settings

        configure_key_secret(load_or_create_key_secret(load_settings()))
    assert _configured is not None
    return _configured


def _kek(secret: str) -> AESGCM:
    key = HKDF(algorithm=SHA256(), length=32, salt=b"greenballot-kek", info=b"signing-key").derive(secret.encode())
    return AESGCM(key)


def _seal(raw: bytes, secret: str) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + _kek(secret).encrypt(nonce, raw, b"greenballot")).decode()


def _open(stored: str, encrypted: bool, secret: str) -> bytes:
    blob = base64.b64decode(stored)
    if not encrypted:
        return blob  # stored in clear by an earlier version; ``ensure_key`` encrypts it
    try:
        return _kek(secret).decrypt(blob[:12], blob[12:], b"greenballot")
    except Exception as error:
        raise KeySecretError("the key-encryption secret (GREENBALLOT_KEY_SECRET, or key-secret.key in the data "
                             "directory) does not decrypt the stored signing keys") from error


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def private_key_of(row: SigningKey, secret: str | None = None) -> Ed25519PrivateKey:
    if row.private_key is None:
        raise KeySecretError(f"key {row.kid} is retired: its private half was destroyed")
    return Ed25519PrivateKey.from_private_bytes(_open(row.private_key, row.encrypted, secret or key_secret()))


def _new_mac_secret(secret: str | None) -> str:
    """A token key's MAC secret: 32 random bytes, sealed like a private half."""
    return _seal(secrets.token_bytes(32), secret or key_secret())


async def create_key(session: AsyncSession, purpose: str, secret: str | None = None,
                     grace: timedelta = timedelta(0)) -> SigningKey:
    """Make a new key for ``purpose`` and retire the previous current one: its private half is destroyed, its
    public half stays; a token key keeps verifying for ``grace``."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    digest = hashlib.sha256(public_pem(private.public_key()).encode()).hexdigest()[:16]
    now = datetime.now(UTC)
    kid = f"{purpose[:3]}-{now:%Y%m%d}-{digest}-{secrets.token_hex(2)}"
    for old in (await session.exec(select(SigningKey).where(SigningKey.purpose == purpose,
                                                            col(SigningKey.retired_at).is_(None)))).all():
        old.retired_at, old.private_key = now, None
        old.verify_until = now + grace if purpose == "tokens" else None
        if not grace:
            old.mac_secret = None  # its tokens stop now: nothing left to check them with
        session.add(old)
    for over in (await session.exec(select(SigningKey).where(  # grace periods that have ended
            col(SigningKey.mac_secret).is_not(None), col(SigningKey.verify_until) <= now))).all():
        over.mac_secret = None
        session.add(over)
    await session.flush()  # the retirement first: the CHECK wants no private half on a retired key
    row = SigningKey(kid=kid, purpose=purpose, public_key=public_pem(private.public_key()),
                     private_key=_seal(raw, secret or key_secret()), encrypted=True,
                     mac_secret=_new_mac_secret(secret) if purpose == "tokens" else None)
    session.add(row)
    await session.flush()
    return row


async def current_key(session: AsyncSession, purpose: str) -> SigningKey | None:
    return (await session.exec(select(SigningKey).where(SigningKey.purpose == purpose,
                                                        col(SigningKey.retired_at).is_(None))
                               .order_by(col(SigningKey.created_at).desc()))).first()


async def ensure_key(session: AsyncSession, purpose: str, secret: str | None = None) -> SigningKey:
    """The current key for ``purpose``, created on first use; one stored in clear is encrypted now."""
    row = await current_key(session, purpose)
    if row is None:
        return await create_key(session, purpose, secret)
    if not row.encrypted and row.private_key is not None:
        row.private_key = _seal(base64.b64decode(row.private_key), secret or key_secret())
        row.encrypted = True
        session.add(row)
        await session.flush()
    if purpose == "tokens" and row.mac_secret is None:  # a token key made before tokens carried a MAC
        row.mac_secret = _new_mac_secret(secret)
        session.add(row)
        await session.flush()
    return row


def _public(row: SigningKey) -> Ed25519PublicKey:
    loaded = serialization.load_pem_public_key(row.public_key.encode())
    assert isinstance(loaded, Ed25519PublicKey)
    return loaded


async def load_public_keys(session: AsyncSession, purpose: str) -> dict[str, Ed25519PublicKey]:
    rows = (await session.exec(select(SigningKey).where(SigningKey.purpose == purpose))).all()
    return {row.kid: _public(row) for row in rows}


async def load_ring(session: AsyncSession, secret: str | None = None) -> KeyRing:
    """The token keys that still verify: the current one, and retired ones inside their grace period, each with its
    MAC secret opened. A key-encryption secret that does not open them raises ``KeySecretError``: an instance
    given another secret fails at start instead of refusing every token."""
    row = await ensure_key(session, "tokens", secret)
    secret = secret or key_secret()
    now = datetime.now(UTC)
    rows = (await session.exec(select(SigningKey).where(
        SigningKey.purpose == "tokens", col(SigningKey.mac_secret).is_not(None),
        or_(col(SigningKey.retired_at).is_(None), col(SigningKey.verify_until) > now)))).all()
    opened = {row.kid: _open(row.mac_secret or "", True, secret)}  # the current key must open
    for other in rows:
        if other.kid not in opened:
            try:
                opened[other.kid] = _open(other.mac_secret or "", True, secret)
            except KeySecretError:
                continue  # sealed under a secret since replaced: its tokens are refused
    return KeyRing(current_kid=row.kid, secrets=opened,
                   verify_until={r.kid: r.verify_until for r in rows if r.verify_until is not None})


async def published_keys(session: AsyncSession) -> list[dict[str, str | None]]:
    """Every public key ever used, for the well-known URL and ``greenballot keys``."""
    rows = (await session.exec(select(SigningKey).order_by(col(SigningKey.created_at)))).all()
    return [{"kid": row.kid, "purpose": row.purpose, "algorithm": "Ed25519", "public_key": row.public_key,
             "created_at": row.created_at.isoformat() if row.created_at else None,
             "retired_at": row.retired_at.isoformat() if row.retired_at else None,
             "verify_until": row.verify_until.isoformat() if row.verify_until else None} for row in rows]
