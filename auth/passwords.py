"""Password hashing with argon2id, in a bounded pool of worker threads so logins never stall the event loop."""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from functools import cache

import anyio
from anyio import to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from voting.i18n import gettext as _

__all__ = ["hash_password", "verify_password", "hash_password_async", "verify_password_async", "needs_rehash",
           "MIN_PASSWORD_LENGTH", "HASHING_THREADS", "password_problem", "FAST_HASHING"]

MIN_PASSWORD_LENGTH = 10
HASHING_THREADS = 2
"""At most this many argon2 computations at once per process (each takes ~50 ms of one core and 64 MiB)."""
FAST_HASHING = "GREENBALLOT_INSECURE_FAST_PASSWORD_HASHING"
"""Set to 1 only by the test suite: argon2id at its cheapest (1 pass, 1 MiB), so that a thousand logins in tests
cost milliseconds, not minutes. A process that uses it says so in its log, once."""


@cache
def _hasher() -> PasswordHasher:
    """argon2id with the library's current recommended parameters (or the test suite's cheapest)."""
    if os.environ.get(FAST_HASHING) == "1":
        logging.getLogger("greenballot").warning("%s=1: passwords hashed with test-only argon2 parameters",
                                                 FAST_HASHING)
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when there is no account: computed on first use, not at import."""
    return _hasher().hash("not-a-real-password-just-for-timing")


def _limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(HASHING_THREADS)
    return limiter


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; with no hash, still spend the time so timing reveals nothing."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password_async(password: str) -> str:
    return await to_thread.run_sync(hash_password, password, limiter=_limiter())


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    return await to_thread.run_sync(verify_password, password_hash, password, limiter=_limiter())


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """A reason the password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must be at least {n} characters.").format(n=MIN_PASSWORD_LENGTH)
    if len(password) > 1024:
        return _("The password must be at most 1024 characters.")
    return None
