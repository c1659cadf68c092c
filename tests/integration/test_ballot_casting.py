"""The ballot box under concurrency: 200 simultaneous submissions by one voter leave one vote, one participation."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import text

from tests.ballot_factories import make_open_ballot, make_voter
from tests.conftest import create_database, drop_database, served_app
from tests.factories import bearer, make_account, make_neighbourhood
from voting.database import make_engine, make_session_maker

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def committed_url(pg_server_url: str) -> Iterator[str]:
    """A database of its own: these tests commit, from many connections at once."""
    url = create_database(pg_server_url, "gb_cast")
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture
async def live_app(committed_url: str, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    async with served_app(committed_url, tmp_path, client=("198.51.100.9", 4000)) as (_app, client):
        yield client


async def seed(url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(url, pool_size=1)
    async with make_session_maker(engine)() as session:
        hood = await make_neighbourhood(session)
        moderator = await make_account(session, "moderator", neighbourhoods=[hood.slug])
        ballot, ids = await make_open_ballot(session, hood, moderator)
        voter = await make_voter(session, hood)
        await session.commit()
    await engine.dispose()
    return ballot.id, ids, voter.email


async def counts(url: str, ballot_id: int) -> tuple[int, int, int]:
    engine = make_engine(url, pool_size=1)
    async with engine.connect() as connection:
        row = (await connection.execute(text(
            "SELECT (SELECT count(*) FROM vote_envelope WHERE ballot_id = :b), (SELECT count(*) FROM participation"
            " WHERE ballot_id = :b), (SELECT count(*) FROM vote_leaf WHERE ballot_id = :b)"), {"b": ballot_id})).one()
    await engine.dispose()
    return int(row[0]), int(row[1]), int(row[2])


async def test_200_concurrent_submissions_by_one_voter_leave_one_vote(live_app, committed_url):
    ballot_id, ids, email = await seed(committed_url)
    headers = await bearer(live_app, email)
    choices = [[ids[0]], [ids[1]], [ids[2]], [ids[0], ids[1]]]

    async def submit(n: int) -> httpx.Response:
        extra = {"Idempotency-Key": f"retry-{n % 20}"} if n % 2 else {}
        choice = choices[n % 20 % 4] if n % 2 else random.choice(choices)  # a key's retries repeat its vote
        return await live_app.post(f"/api/v1/ballots/{ballot_id}/votes", json={"projects": choice},
                                   headers={**headers, **extra})

    answers = await asyncio.gather(*(submit(n) for n in range(200)))
    assert {answer.status_code for answer in answers} == {201}, {a.text for a in answers if a.status_code != 201}
    envelopes, participations, leaves = await counts(committed_url, ballot_id)
    assert participations == 1
    fresh = [a for a in answers if not a.json()["replayed"]]
    # 100 without a key, and the first use of each of the 10 odd keys
    assert envelopes == leaves == len(fresh) == 100 + 10
    by_key: dict[str, set[str]] = {}
    for n, answer in enumerate(answers):
        if n % 2:
            by_key.setdefault(f"retry-{n % 20}", set()).add(answer.json()["receipt"])
    assert all(len(codes) == 1 for codes in by_key.values())
    current = [a.json()["receipt"] for a in fresh
               if (await live_app.get(f"/api/v1/receipts/{a.json()['receipt']}")).json()["status"] == "recorded"]
    assert len(current) == 1
