"""Pure login-throttle rules: which counters an attempt uses, and the growing wait after too many failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["LoginLimits", "RegistrationLimits", "Counter", "login_counters", "delay_after", "seconds_until"]


@dataclass(frozen=True)
class LoginLimits:
    """Failures are counted per (account, client) and per client, never per account alone: someone else's
    wrong passwords must not lock the owner out of their own device."""

    free_per_pair: int = 5
    free_per_client: int = 20
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class RegistrationLimits:
    free_per_client: int = 10
    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=1)
    forget_after: timedelta = timedelta(hours=6)


@dataclass(frozen=True)
class Counter:
    key: str
    free: int


def login_counters(email: str, client: str, limits: LoginLimits) -> list[Counter]:
    """The client's counter first (it also counts attempts refused for the pair), then the pair's."""
    return [Counter(f"login-client:{client}", limits.free_per_client),
            Counter(f"login-pair:{email}|{client}", limits.free_per_pair)]


def delay_after(failures: int, free: int, first: timedelta, cap: timedelta) -> timedelta:
    """How long to wait after ``failures`` counted attempts: nothing while fewer than ``free``, then ``first``,
    doubling with each further failure, never more than ``cap``."""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 30)
    return min(first * (2 ** doublings), cap)


def seconds_until(moment: datetime, now: datetime) -> int:
    """Whole seconds to wait (at least 1) until ``moment``; 0 when it has passed."""
    if moment <= now:
        return 0
    return max(1, int((moment - now).total_seconds() + 0.999))
