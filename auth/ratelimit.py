"""Pure login rate-limit rule: how many recent failures block another attempt, and for how long."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["LoginLimits", "retry_after"]


@dataclass(frozen=True)
class LoginLimits:
    window: timedelta = timedelta(minutes=15)
    per_account: int = 5
    per_client: int = 20


def retry_after(failures: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds to wait before another attempt (0 when allowed), given failure times within the window."""
    recent = sorted(at for at in failures if now - at < window)
    if len(recent) < limit:
        return 0
    oldest_that_counts = recent[len(recent) - limit]
    return max(1, int((oldest_that_counts + window - now).total_seconds()) + 1)
