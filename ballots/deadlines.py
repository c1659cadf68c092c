"""The deadline sweeper of ``serve``: an open ballot whose closing time has passed is closed within seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text

from ballots.service import close_if_due, database_now, load_ballot

__all__ = ["close_due_ballots", "deadline_sweeper", "SWEEP_SECONDS"]

SWEEP_SECONDS = 5.0
log = logging.getLogger("greenballot")

_DUE = text("SELECT id FROM ballot WHERE status = 'open' AND closes_at <= clock_timestamp() ORDER BY closes_at")


async def close_due_ballots(session_maker: Any, key_secret: str | None = None) -> list[int]:
    """Close every open ballot past its closing time, each in its own transaction (with its signed checkpoint).

    Several instances may sweep at once: the ``FOR UPDATE`` lock and the status check make the close happen once.
    """
    async with session_maker() as session:
        due = [row[0] for row in (await session.exec(_DUE)).all()]
    closed: list[int] = []
    for ballot_id in due:
        async with session_maker() as session:
            ballot = await load_ballot(session, ballot_id, lock=True)
            if await close_if_due(session, ballot, await database_now(session), key_secret=key_secret):
                closed.append(ballot_id)
            await session.commit()
    return closed


@asynccontextmanager
async def deadline_sweeper(app: Any) -> AsyncGenerator[None, None]:
    """A lifespan: sweep every few seconds while the app serves; an error is logged and the next sweep retries."""
    key_secret = app.state.settings.key_secret

    async def sweep_forever() -> None:
        while True:
            try:
                for ballot_id in await close_due_ballots(app.state.session_maker, key_secret):
                    log.info("ballot %s closed by its deadline", ballot_id)
            except Exception:  # a database that is down must not end the sweeper
                log.exception("the deadline sweep failed; retrying")
            await asyncio.sleep(SWEEP_SECONDS)

    task = asyncio.create_task(sweep_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
