"""The sender inside ``serve``: it wakes when a transaction that wrote mail commits, and stops cleanly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from tests.conftest import create_database, drop_database
from tests.mail_server import smtp_server
from voting.config import Settings
from voting.database import make_engine, make_session_maker
from voting.mail.service import enqueue
from voting.mail.worker import POLL_SECONDS, mail_sender

pytestmark = pytest.mark.anyio


@pytest.fixture
def fresh_database(pg_server_url: str) -> Iterator[str]:
    """Its own database: NOTIFY is delivered only on a real commit, which the rolled-back fixtures never make."""
    url = create_database(pg_server_url, "gb_mailworker")
    yield url
    drop_database(pg_server_url, url)


async def delivered(mailbox, address: str, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if mailbox.to(address):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_the_sender_wakes_at_commit_not_at_rollback_and_stops_cleanly(fresh_database, tmp_path):
    engine = make_engine(fresh_database, pool_size=3)
    maker = make_session_maker(engine)
    try:
        with smtp_server() as mailbox:
            settings = Settings(database_url=fresh_database, data_dir=tmp_path,
                                smtp_url=f"smtp://127.0.0.1:{mailbox.port}")
            app = SimpleNamespace(state=SimpleNamespace(settings=settings, session_maker=maker))
            async with mail_sender(app):
                await asyncio.sleep(0.5)  # the first round found nothing; the next poll is POLL_SECONDS away
                async with maker() as session:
                    await enqueue(session, to="undone@example.org", kind="confirm_email", language="fr",
                                  context={"name": "Camille", "link": "https://v.example/c?t=1"})
                    await session.rollback()
                async with maker() as session:
                    await enqueue(session, to="now@example.org", kind="confirm_email", language="fr",
                                  context={"name": "Camille", "link": "https://v.example/c?t=2"})
                    await session.commit()
                started = time.monotonic()
                assert await delivered(mailbox, "now@example.org", POLL_SECONDS + 2)
                assert time.monotonic() - started < POLL_SECONDS / 2, "woken by the commit, not by the poll"
                stopping = time.monotonic()
            assert time.monotonic() - stopping < 5, "the sender stops with the server"
            assert not await delivered(mailbox, "undone@example.org", 0.2)
            assert len(mailbox.messages) == 1
    finally:
        await engine.dispose()
