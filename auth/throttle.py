"""Attempt counters in the database, reserved atomically before the work they limit (a password check, a mail).

Each reservation is one ``INSERT … ON CONFLICT … DO UPDATE … WHERE allowed RETURNING`` in the request's own
transaction: the counter's row stays locked until that transaction commits (a refused login commits its count
before answering), so parallel attempts under one key are counted one after the other and at most the allowed
number reach the password check. Only attempts under the same key wait for each other: the owner, from another
client, uses other counters. No second connection is taken: a request holding one while waiting for another
could starve the pool under a burst of logins.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.ratelimit import Counter, delay_after, seconds_until

__all__ = ["Blocked", "reserve", "forgive"]

RESERVE = text("""
INSERT INTO throttle AS t (key, failures, last_failure_at, next_allowed_at) VALUES (:key, 1, :now, :now)
ON CONFLICT (key) DO UPDATE
   SET failures = CASE WHEN t.last_failure_at <= :forget_before THEN 1 ELSE t.failures + 1 END,
       last_failure_at = :now
 WHERE t.next_allowed_at <= :now OR t.last_failure_at <= :forget_before
RETURNING t.failures
""")
SET_DELAY = text("UPDATE throttle SET next_allowed_at = :until WHERE key = :key")
NEXT_ALLOWED = text("SELECT next_allowed_at FROM throttle WHERE key = :key")
PRUNE = text("""
DELETE FROM throttle WHERE key IN (SELECT key FROM throttle WHERE last_failure_at < :before
                                      AND next_allowed_at < :before LIMIT 1000 FOR UPDATE SKIP LOCKED)
""")
"""Never waits for a row another attempt holds: pruning cannot deadlock with logins."""
PRUNE_ONE_IN = 100
PRUNE_AFTER = timedelta(days=1)
"""Longer than any ``forget_after``: a pruned counter would have started over anyway."""
FORGET = text("DELETE FROM throttle WHERE key = :key")
TAKE_BACK = text("UPDATE throttle SET failures = greatest(failures - 1, 0) WHERE key = :key")


class Blocked(Exception):
    def __init__(self, seconds: int) -> None:
        super().__init__(f"blocked for {seconds} s")
        self.seconds = seconds


async def _run(session: AsyncSession, statement: Any, params: dict[str, Any]) -> Any:
    return await session.exec(statement, params=params)


async def reserve(session: AsyncSession, counters: list[Counter], *, first: timedelta, cap: timedelta,
                  forget_after: timedelta, now: datetime | None = None) -> None:
    """Count one attempt under every counter, in order; raise ``Blocked`` at the first that must wait."""
    now = now or datetime.now(UTC)
    wait = 0
    for counter in counters:
        row = (await _run(session, RESERVE, {"key": counter.key, "now": now,
                                             "forget_before": now - forget_after})).first()
        if row is None:
            until = (await _run(session, NEXT_ALLOWED, {"key": counter.key})).scalar_one()
            wait = max(1, seconds_until(until, now))
            break
        delay = delay_after(row[0], counter.free, first, cap)
        if delay:
            await _run(session, SET_DELAY, {"key": counter.key, "until": now + delay})
    if secrets.randbelow(PRUNE_ONE_IN) == 0:  # counters nobody came back to; keeps the table small
        await _run(session, PRUNE, {"before": now - PRUNE_AFTER})
    if wait:
        raise Blocked(wait)


async def forgive(session: AsyncSession, counters: list[Counter], *, reset: set[str]) -> None:
    """The attempt succeeded: take it back from every counter; counters in ``reset`` start over."""
    for counter in counters:
        await _run(session, FORGET if counter.key in reset else TAKE_BACK, {"key": counter.key})
