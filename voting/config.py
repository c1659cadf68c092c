"""Settings read from the environment, and the instance secret kept in the data directory."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Settings", "load_settings", "load_or_create_secret", "load_or_create_key_secret", "MAX_TOKEN_TTL"]

MAX_TOKEN_TTL = 7 * 24 * 3600
"""No access token lives longer than a week, whatever ``GREENBALLOT_TOKEN_TTL`` says."""


def _default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("greenballot"))


@dataclass(frozen=True)
class Settings:
    """What an instance needs to know before it touches the database."""

    database_url: str | None
    data_dir: Path
    issuer: str = "greenballot"
    audience: str = "greenballot"
    token_ttl_seconds: int = 8 * 3600
    key_secret: str | None = None
    audit_checkpoint_every: int = 100
    debug: bool = False
    secret: str = field(default="", repr=False)
    public_url: str = "http://127.0.0.1:8000"
    """Where residents reach the site: the base of every link in a mail (no trailing slash)."""
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = "greenballot <noreply@localhost>"
    demo: bool = False
    trusted_proxies: str = ""
    """Comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed."""
    replica_url: str | None = field(default=None, repr=False)
    """``DATABASE_REPLICA_URL``: a streaming replica for pages that only read (results, bulletin board, exports,
    proposal lists, the map); votes, logins and every write stay on ``DATABASE_URL``."""


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings from the environment (``DATABASE_URL``, ``GREENBALLOT_*``)."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("GREENBALLOT_DATA_DIR") or _default_data_dir()).expanduser()
    ttl = env.get("GREENBALLOT_TOKEN_TTL", "28800")
    if not ttl.isdigit() or not 0 < int(ttl) <= MAX_TOKEN_TTL:
        raise ValueError(f"GREENBALLOT_TOKEN_TTL must be a number of seconds between 1 and {MAX_TOKEN_TTL}")
    return Settings(
        database_url=env.get("DATABASE_URL") or None,
        data_dir=data_dir,
        token_ttl_seconds=int(ttl),
        key_secret=env.get("GREENBALLOT_KEY_SECRET") or None,
        debug=env.get("GREENBALLOT_DEBUG", "") == "1",
        secret=env.get("GREENBALLOT_SECRET", ""),
        public_url=_public_url(env.get("GREENBALLOT_PUBLIC_URL") or "http://127.0.0.1:8000"),
        smtp_url=_smtp_url(env.get("GREENBALLOT_SMTP_URL") or None),
        mail_from=env.get("GREENBALLOT_MAIL_FROM") or "greenballot <noreply@localhost>",
        demo=env.get("GREENBALLOT_DEMO", "") == "1",
        trusted_proxies=_trusted_proxies(env.get("GREENBALLOT_TRUSTED_PROXIES", "")),
        replica_url=_replica_url(env.get("DATABASE_REPLICA_URL") or None),
    )


def _replica_url(value: str | None) -> str | None:
    from voting.database import DatabaseURLError, asyncpg_url

    if value is None or not value.strip():
        return None
    try:
        return asyncpg_url(value.strip())
    except DatabaseURLError:
        raise ValueError("DATABASE_REPLICA_URL must start with postgresql:// or postgresql+asyncpg://") from None


def _smtp_url(value: str | None) -> str | None:
    from urllib.parse import urlsplit

    if value is not None and (urlsplit(value.strip()).scheme not in ("smtp", "smtps")
                              or not urlsplit(value.strip()).hostname):
        raise ValueError("GREENBALLOT_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
    return value.strip() if value else None


def _public_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("GREENBALLOT_PUBLIC_URL must be an http:// or https:// address")
    return value.strip().rstrip("/")


def _trusted_proxies(value: str) -> str:
    from auth.clients import parse_trusted_proxies

    parse_trusted_proxies(value)  # raises ValueError naming a bad entry
    return value.strip()


def load_or_create_secret(data_dir: Path, name: str = "secret.key") -> str:
    """Return the instance secret (CSRF), creating ``secret.key`` in the data directory once."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        value = secrets.token_urlsafe(48)
        handle.write(value)
    return value


def load_or_create_key_secret(settings: Settings) -> str:
    """The key-encryption secret: ``GREENBALLOT_KEY_SECRET``, else ``key-secret.key`` in the data directory,
    generated once (as the CSRF secret is), so private keys are never stored in clear."""
    return settings.key_secret or load_or_create_secret(settings.data_dir, "key-secret.key")
