"""Pure mail rules: when to try again, what an SMTP URL means, which addresses and subjects are acceptable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

__all__ = ["MAX_ATTEMPTS", "SINGLE_USE_LINK_KINDS", "WIPED", "SMTPTarget", "parse_smtp_url", "retry_delay",
           "next_attempt", "is_permanent", "check_address", "one_line"]

MAX_ATTEMPTS = 12
"""A message still refused after this many tries is marked failed (about 20 hours after the first)."""
SINGLE_USE_LINK_KINDS = ("confirm_email", "reset_password")
"""Their bodies carry a live token: once delivered, the outbox keeps no copy a database reader could use."""
WIPED = "(removed once sent: this message carried a single-use link)"
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=6)
LINE_SPACE = re.compile(r"[ \t\r\n\f\v\x85\u2028\u2029]+")
ADDRESS = re.compile(r"^[^@\s<>\",;()]+@[^@\s<>\",;()]+$")


@dataclass(frozen=True)
class SMTPTarget:
    """Where and how to deliver: ``smtp://`` upgrades with STARTTLS when offered, ``smtps://`` is TLS at once."""

    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SMTPTarget:
    """``smtp://user:pass@host:587`` or ``smtps://host:465``; a ValueError names what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"GREENBALLOT_SMTP_URL must start with smtp:// or smtps:// (got {parts.scheme or 'none'}://)")
    if not parts.hostname:
        raise ValueError("GREENBALLOT_SMTP_URL names no host")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError("GREENBALLOT_SMTP_URL has an invalid port") from error
    implicit = parts.scheme == "smtps"
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return SMTPTarget(parts.hostname, port or (465 if implicit else 587), implicit, username, password)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1, 2, 4, 8… minutes, at most six hours."""
    if attempts < 1:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(attempts - 1, 20), LONGEST_DELAY)


def next_attempt(attempts: int, now: datetime, *, permanent: bool = False) -> tuple[str, datetime | None]:
    """After a failed try (``attempts`` counts it): ``("pending", when)`` to try again, or ``("failed", None)``."""
    if permanent or attempts >= MAX_ATTEMPTS:
        return "failed", None
    return "pending", now + retry_delay(attempts)


def is_permanent(code: int | None) -> bool:
    """SMTP 5xx replies are final (no such mailbox, refused): trying again would not help. 4xx are temporary."""
    return code is not None and 500 <= code < 600


def check_address(address: str) -> str:
    """An address fit for a To header: one mailbox, no spaces, no line breaks, at most 254 characters."""
    address = address.strip()
    if len(address) > 254 or not ADDRESS.match(address):
        raise ValueError(f"not an e-mail address: {address[:80]!r}")
    return address


def one_line(text: str, limit: int = 300) -> str:
    """Collapse spaces and line breaks (no header injection through a title) and cut to ``limit`` characters;
    no-break spaces stay (French puts them before ``:`` and inside « »)."""
    text = LINE_SPACE.sub(" ", text).strip(" ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
