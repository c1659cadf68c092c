"""The sender inside ``serve``: a background task that wakes on commit (LISTEN) or every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from voting.config import Settings
from voting.mail.sender import send_due, transport_for
from voting.mail.service import WAKE_CHANNEL
from voting.mail.transport import SMTPUnavailable, Transport

__all__ = ["mail_sender", "run_sender", "POLL_SECONDS", "LONGEST_PAUSE"]

log = logging.getLogger("greenballot.mail")
POLL_SECONDS = 5.0
LONGEST_PAUSE = 300.0


async def run_sender(session_maker: Any, transport: Transport, sender: str, wake: asyncio.Event,
                     stop: asyncio.Event) -> None:
    """Send what is due until ``stop`` is set; an unreachable server pauses 5 s, 10 s… up to 5 minutes."""
    pause, last_problem = POLL_SECONDS, ""
    while not stop.is_set():
        wake.clear()
        try:
            report = await send_due(session_maker, transport, sender)
        except SMTPUnavailable as error:
            if str(error) != last_problem:
                log.warning("mail: %s; messages stay in the outbox and will be sent later", error)
            last_problem, pause = str(error), min(pause * 2, LONGEST_PAUSE)
        except Exception:
            log.exception("mail: sending failed; trying again later")
            pause = min(pause * 2, LONGEST_PAUSE)
        else:
            if last_problem:
                log.warning("mail: the SMTP server answers again")
            if report.sent or report.failed or report.retrying:
                log.info("mail: %d sent, %d failed, %d to retry", report.sent, report.failed, report.retrying)
            last_problem, pause = "", POLL_SECONDS
        waiters = [asyncio.ensure_future(stop.wait())]
        if not last_problem:
            waiters.append(asyncio.ensure_future(wake.wait()))
        _, pending = await asyncio.wait(waiters, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
        for waiter in pending:
            waiter.cancel()


@asynccontextmanager
async def _listening(session_maker: Any, wake: asyncio.Event) -> AsyncGenerator[None, None]:
    """Hold one connection that LISTENs for enqueued mail; without it the sender simply polls."""
    engine = session_maker.kw["bind"]

    def notified(*_: Any) -> None:
        wake.set()

    try:
        connection = await engine.connect()
        driver = (await connection.get_raw_connection()).driver_connection
        await driver.add_listener(WAKE_CHANNEL, notified)
    except Exception as error:  # the sender still polls every few seconds
        log.warning("mail: cannot LISTEN for new mail (%s); polling every %.0f s", error, POLL_SECONDS)
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await driver.remove_listener(WAKE_CHANNEL, notified)
        await connection.close()


@asynccontextmanager
async def mail_sender(app: Any) -> AsyncGenerator[None, None]:
    """App lifespan: run the sender beside the server (after the database lifespan set ``session_maker``)."""
    settings: Settings = app.state.settings
    transport = transport_for(settings)
    if transport is None:
        log.warning("mail: GREENBALLOT_SMTP_URL is not set; mail stays in the outbox until it is "
                    "(or until `greenballot mail send-pending` runs with it)")
        yield
        return
    wake, stop = asyncio.Event(), asyncio.Event()
    async with _listening(app.state.session_maker, wake):
        task = asyncio.create_task(run_sender(app.state.session_maker, transport, settings.mail_from, wake, stop))
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, timeout=30)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
