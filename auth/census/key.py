"""The instance's census key: derived from the instance secret, set once by the app or the command line."""

from __future__ import annotations

from auth.census.rules import derive_census_key

__all__ = ["use_instance_secret", "census_key"]

_key: bytes | None = None


def use_instance_secret(secret: str) -> bytes:
    """Derive and keep the census key of this process (the app factory calls it with the instance secret)."""
    global _key
    _key = derive_census_key(secret)
    return _key


def census_key() -> bytes:
    """The key set by ``use_instance_secret``; else the one of the configured instance (``GREENBALLOT_SECRET``,
    or ``secret.key`` in the data directory), as the command line and the server both find it."""
    if _key is not None:
        return _key
    from voting.config import load_or_create_secret, load_settings

    settings = load_settings()
    return use_instance_secret(settings.secret or load_or_create_secret(settings.data_dir))
