"""The one-statement online vote: what a cached ballot may and may not decide, and concurrent retries."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.ballot_factories import seed_committed_ballot
from tests.conftest import bearer_for, count_rows, libpq_url
from voting.reference import reference

pytestmark = pytest.mark.anyio


DATABASE_PREFIX = "gb_online"  # the committed_url fixture (tests/conftest.py) names its database so
LANGUAGE = "en"  # and served speaks it


async def test_a_ballot_cached_as_open_but_closed_since_refuses_the_vote_and_writes_nothing(served, committed_url):
    app, http = served
    ballot_id, ids, _moderator, voters = await seed_committed_ballot(committed_url, 2)
    url = f"/api/v1/ballots/{ballot_id}/votes"
    first = await http.post(url, json={"projects": [ids[0]]}, headers=bearer_for(app, voters[0]))
    assert first.status_code == 201, first.text
    was_listening = reference.listening
    reference.listening = True  # keep what is cached, and announce nothing: the cache is now stale on purpose
    try:
        await http.post(url, json={"projects": [ids[0]]}, headers=bearer_for(app, voters[0]))  # cached as open
        connection = await asyncpg.connect(libpq_url(committed_url))
        try:
            await connection.execute("UPDATE ballot SET status = 'closed' WHERE id = $1", ballot_id)
        finally:
            await connection.close()
        envelopes = await count_rows(committed_url, "SELECT count(*) FROM vote_envelope")
        refused = await http.post(url, json={"projects": [ids[1]]}, headers=bearer_for(app, voters[1]))
        assert refused.status_code == 409 and refused.json()["detail"] == "Voting is closed."
        assert await count_rows(committed_url, "SELECT count(*) FROM vote_envelope") == envelopes
        assert await count_rows(committed_url, "SELECT count(*) FROM participation") == 1  # only the first voter
    finally:
        reference.listening = was_listening
        reference.clear()


async def test_concurrent_requests_with_one_idempotency_key_get_one_receipt(served, committed_url):
    app, http = served
    ballot_id, ids, _moderator, voters = await seed_committed_ballot(committed_url, 1)
    headers = {**bearer_for(app, voters[0]), "Idempotency-Key": "same-key-for-all"}
    answers = await asyncio.gather(*(http.post(f"/api/v1/ballots/{ballot_id}/votes", json={"projects": [ids[0]]},
                                               headers=headers) for _ in range(8)))
    assert {answer.status_code for answer in answers} == {201}, [answer.text for answer in answers]
    assert len({answer.json()["receipt"] for answer in answers}) == 1
    assert await count_rows(committed_url, "SELECT count(*) FROM vote_envelope") == 1
    assert await count_rows(committed_url, "SELECT count(*) FROM vote_request") == 1
    other = await http.post(f"/api/v1/ballots/{ballot_id}/votes", json={"projects": [ids[1]]}, headers=headers)
    assert other.status_code == 422 and "same-key-for-all" in other.json()["detail"]


async def test_a_close_that_updates_the_ballot_while_holding_the_barrier_refuses_the_vote_waiting_for_it(
        served, committed_url):
    """Whatever statement a close uses to change the ballot, a vote queued behind its barrier re-reads the row."""
    from ballots.service import BALLOT_BARRIER

    app, http = served
    ballot_id, ids, _moderator, voters = await seed_committed_ballot(committed_url, 2)
    url = f"/api/v1/ballots/{ballot_id}/votes"
    assert (await http.post(url, json={"projects": [ids[0]]}, headers=bearer_for(app, voters[0]))).status_code == 201
    closer = await asyncpg.connect(libpq_url(committed_url))
    try:
        transaction = closer.transaction()
        await transaction.start()
        await closer.execute("SELECT pg_advisory_xact_lock($1, $2)", BALLOT_BARRIER, ballot_id)
        await closer.execute("UPDATE ballot SET status = 'closed' WHERE id = $1", ballot_id)  # no FOR UPDATE first
        vote = asyncio.create_task(http.post(url, json={"projects": [ids[1]]}, headers=bearer_for(app, voters[1])))
        await asyncio.sleep(0.5)
        assert not vote.done()  # queued behind the barrier
        await transaction.commit()
        refused = await vote
    finally:
        await closer.close()
    assert refused.status_code == 409, refused.text
    assert await count_rows(committed_url, "SELECT count(*) FROM participation") == 1
    assert await count_rows(committed_url, "SELECT count(*) FROM vote_envelope") == 1
