"""The close is a barrier: votes racing a moderator's close and tally either commit before the close or are refused.

These tests commit, from many connections at once, on a database of their own; the app runs with its own engine
(as ``serve`` does), driven concurrently over ASGI.
"""

from __future__ import annotations

import asyncio
import base64
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from auth.models import Account
from ballots import merkle
from ballots.checkpoints import checkpoint_message
from ballots.receipts import log_key
from ballots.service import BALLOT_BARRIER
from tests.ballot_factories import seed_committed_ballot
from tests.conftest import bearer_for, create_database, drop_database, served_app
from voting.database import make_engine
from voting.results.signing import public_keys_from_json
from voting.results.verify import verify_export

pytestmark = pytest.mark.anyio

OTHERS = 200
BURST = 100


@pytest.fixture(scope="module")
def barrier_url(pg_server_url: str) -> Iterator[str]:
    url = create_database(pg_server_url, "gb_barrier")
    yield url
    drop_database(pg_server_url, url)


@dataclass
class Served:
    app: Any
    http: httpx.AsyncClient


@asynccontextmanager
async def _instance(url: str, data_dir: Path) -> AsyncIterator[Served]:
    """One server process's app, with its own engine and connection pool, as ``serve`` runs it."""
    async with served_app(url, data_dir, client=("198.51.100.20", 4000), http_timeout=120,
                          language="en") as (app, http):
        yield Served(app, http)


@pytest.fixture
async def served(barrier_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    async with _instance(barrier_url, tmp_path) as instance:
        yield instance


@pytest.fixture
async def second(barrier_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    """Another worker on the same database: the moderator's requests do not queue behind the voters' pool."""
    async with _instance(barrier_url, tmp_path) as instance:
        yield instance


async def _seed(url: str) -> tuple[int, list[int], Account, list[Account]]:
    return await seed_committed_ballot(url, OTHERS + 1)


async def _rows(url: str, sql: str, **params: Any) -> list[Any]:
    """Run one statement in a transaction of its own, committed."""
    engine = make_engine(url, pool_size=1)
    async with engine.begin() as connection:
        rows = list((await connection.execute(text(sql), params)).all())
    await engine.dispose()
    return rows


def _bearer(served: Served, account: Account) -> dict[str, str]:
    return bearer_for(served.app, account)


@pytest.mark.parametrize("run", range(5))
async def test_votes_racing_the_close_and_the_tally_commit_before_the_close_or_are_refused(served, second, barrier_url,
                                                                                           run):
    ballot_id, ids, moderator, voters = await _seed(barrier_url)
    url = f"/api/v1/ballots/{ballot_id}"
    choices = [[ids[0]], [ids[1]], [ids[2]], [ids[0], ids[1]], [ids[1], ids[2]]]
    done: list[int] = []
    third_done = asyncio.Event()
    answers: dict[tuple[int, int], httpx.Response] = {}

    async def vote(voter: int, attempt: int) -> None:
        answer = await served.http.post(f"{url}/votes", json={"projects": random.choice(choices)},
                                        headers={**_bearer(served, voters[voter]), "Idempotency-Key": uuid.uuid4().hex})
        answers[(voter, attempt)] = answer
        done.append(voter)
        if len(done) >= (BURST + OTHERS) // 3:
            third_done.set()

    async def close_then_tally() -> list[httpx.Response]:
        await third_done.wait()  # close while about two thirds of the votes are still in flight
        headers = _bearer(second, moderator)
        closed = await second.http.post(f"{url}/transitions/closed", headers=headers)
        tallied = await second.http.post(f"{url}/transitions/tallied", headers=headers)
        return [closed, tallied]

    tasks = [vote(0, attempt) for attempt in range(BURST)] + [vote(n, 0) for n in range(1, OTHERS + 1)]
    random.shuffle(tasks)
    *_, (closed, tallied) = await asyncio.gather(*tasks, close_then_tally())
    assert closed.status_code == 200 and tallied.status_code == 200, (closed.text, tallied.text)
    served = second  # what follows reads as the moderator and the auditor would

    statuses = {answer.status_code for answer in answers.values()}
    assert statuses <= {201, 409}, {a.text for a in answers.values() if a.status_code not in (201, 409)}
    refused = [a for a in answers.values() if a.status_code == 409]
    assert all(a.json()["detail"] == "Voting is closed." for a in refused)
    accepted = {key: answer.json()["receipt"] for key, answer in answers.items() if answer.status_code == 201}
    print(f"run {run}: {len(accepted)} receipts, {len(refused)} refused after the close")

    # The database's commit order: the close sequenced every leaf committed before it into its signed checkpoint,
    # and nothing sequences leaves afterwards, so a vote committed after the close would be a leaf left outside.
    leaves = await _rows(barrier_url, "SELECT receipt_key, tree_index, leaf_hash FROM vote_leaf WHERE ballot_id = :b "
                                      "ORDER BY tree_index", b=ballot_id)
    assert [row for row in leaves if row[1] is None] == []
    checkpoints = await _rows(barrier_url, "SELECT tree_size, root, signature FROM vote_checkpoint "
                                           "WHERE ballot_id = :b ORDER BY tree_size", b=ballot_id)
    size, root, signature = checkpoints[-1]
    assert size == len(leaves) and root == merkle.root([bytes(row[2]) for row in leaves]).hex()
    keys = public_keys_from_json((await served.http.get("/.well-known/greenballot-keys.json")).text)
    assert any(_verifies(key, signature, checkpoint_message(ballot_id, size, root)) for key in keys.values())

    # Every receipt answered 201 is a leaf of that checkpoint; every voter who got one is counted once, and the
    # burst voter's counted vote is one of the receipts they were given.
    in_log = {row[0] for row in leaves}
    assert {log_key(code) for code in accepted.values()} <= in_log
    counted = {row[0] for row in await _rows(barrier_url, "SELECT receipt_hash FROM vote WHERE ballot_id = :b",
                                             b=ballot_id)}
    voters_with_receipts = {voter for voter, _attempt in accepted}
    assert len(counted) == len(voters_with_receipts)
    assert {_hash(code) for (voter, _a), code in accepted.items() if voter != 0} <= counted
    if 0 in voters_with_receipts:
        assert counted & {_hash(code) for (voter, _a), code in accepted.items() if voter == 0}
    participants = (await _rows(barrier_url, "SELECT count(*) FROM participation WHERE ballot_id = :b",
                                b=ballot_id))[0][0]
    assert participants == len(voters_with_receipts)

    # The stored result is what a recount of the ballot box gives, and the signed exports verify offline.
    headers = _bearer(served, moderator)
    result = await served.http.get(f"{url}/result", headers=headers)
    assert result.json()["votes_counted"] == len(counted)
    recount = await served.http.post(f"{url}/tally", headers=headers)
    assert recount.status_code == 200 and recount.content == result.content, recount.text
    names = ["result.json", "result.csv", "election.pb", "bulletin.json", "bulletin.csv"]
    files: dict[str, bytes] = {}
    for name in names + [f"{name}.sig" for name in names]:
        download = await served.http.get(f"/ballots/{ballot_id}/exports/{name}", headers=headers)
        assert download.status_code == 200, (name, download.text)
        files[name] = download.content
    assert verify_export(files, keys) == []


def _hash(code: str) -> str:
    from ballots.receipts import receipt_hash

    return receipt_hash(code)


def _verifies(key: Any, signature: str, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        key.verify(base64.b64decode(signature), message)
    except InvalidSignature:
        return False
    return True


async def test_a_ballot_closed_by_its_deadline_gets_a_signed_checkpoint_at_its_tally(served, barrier_url):
    ballot_id, ids, moderator, voters = await _seed(barrier_url)
    url = f"/api/v1/ballots/{ballot_id}"
    for voter in voters[:5]:
        answer = await served.http.post(f"{url}/votes", json={"projects": [ids[0]]}, headers=_bearer(served, voter))
        assert answer.status_code == 201
    # The closing time passes; nobody presses "close" (and this app's sweeper has not run yet).
    await _rows(barrier_url, "UPDATE ballot SET closes_at = clock_timestamp() WHERE id = :b RETURNING id", b=ballot_id)
    late = await served.http.post(f"{url}/votes", json={"projects": [ids[1]]}, headers=_bearer(served, voters[6]))
    assert late.status_code == 409 and late.json()["detail"] == "Voting is closed."
    assert await _rows(barrier_url, "SELECT 1 FROM vote_checkpoint WHERE ballot_id = :b", b=ballot_id) == []

    tallied = await served.http.post(f"{url}/tally", headers=_bearer(served, moderator))
    assert tallied.status_code == 200, tallied.text
    assert tallied.json()["votes_counted"] == 5
    status, size = (await _rows(barrier_url, "SELECT b.status, c.tree_size FROM ballot b JOIN vote_checkpoint c "
                                             "ON c.ballot_id = b.id WHERE b.id = :b", b=ballot_id))[0]
    assert (status, size) == ("tallied", 5)
    closes = await _rows(barrier_url, "SELECT actor, data->>'by' FROM audit_entry WHERE subject = :s AND "
                                      "action = 'ballot.closed'", s=f"ballot:{ballot_id}")
    assert closes == [("system:deadline", "deadline")]


async def test_the_sweeper_closes_a_ballot_past_its_deadline(served, barrier_url):
    from ballots.deadlines import close_due_ballots

    ballot_id, ids, _moderator, voters = await _seed(barrier_url)
    answer = await served.http.post(f"/api/v1/ballots/{ballot_id}/votes", json={"projects": [ids[0]]},
                                    headers=_bearer(served, voters[0]))
    assert answer.status_code == 201
    assert ballot_id not in await close_due_ballots(served.app.state.session_maker)
    await _rows(barrier_url, "UPDATE ballot SET closes_at = clock_timestamp() WHERE id = :b RETURNING id", b=ballot_id)
    assert ballot_id in await close_due_ballots(served.app.state.session_maker)
    assert ballot_id not in await close_due_ballots(served.app.state.session_maker)  # once
    rows = await _rows(barrier_url, "SELECT b.status, c.tree_size FROM ballot b JOIN vote_checkpoint c "
                                    "ON c.ballot_id = b.id WHERE b.id = :b", b=ballot_id)
    assert rows == [("closed", 1)]


async def test_an_idempotency_key_reused_with_another_vote_is_refused_and_names_the_key(served, barrier_url):
    ballot_id, ids, moderator, voters = await _seed(barrier_url)
    url = f"/api/v1/ballots/{ballot_id}/votes"
    headers = {**_bearer(served, voters[0]), "Idempotency-Key": "vote-7"}
    first = await served.http.post(url, json={"projects": [ids[0]]}, headers=headers)
    again = await served.http.post(url, json={"projects": [ids[0]]}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["replayed"] is True and again.json()["receipt"] == first.json()["receipt"]
    changed = await served.http.post(url, json={"projects": [ids[1]]}, headers=headers)
    assert changed.status_code == 422 and "vote-7" in changed.json()["detail"], changed.text
    french = await served.http.post(url, json={"projects": [ids[1]]}, headers={**headers, "accept-language": "fr"})
    assert french.status_code == 422 and "vote-7" in french.json()["detail"] and "clé" in french.json()["detail"]
    sealed = await _rows(barrier_url, "SELECT count(*) FROM vote_envelope WHERE ballot_id = :b", b=ballot_id)
    assert sealed == [(1,)]  # the refused requests wrote nothing
    closed = await served.http.post(f"/api/v1/ballots/{ballot_id}/transitions/closed",
                                    headers=_bearer(served, moderator))
    assert closed.status_code == 200, closed.text
    counted = await _rows(barrier_url, "SELECT content FROM vote WHERE ballot_id = :b", b=ballot_id)
    assert counted == [({"projects": [ids[0]]},)]


async def test_a_vote_waiting_behind_a_close_is_refused(served, barrier_url):
    """A vote whose first statement waits on the close's lock reads the ballot as closed when the close commits."""
    ballot_id, ids, _moderator, voters = await _seed(barrier_url)
    engine = make_engine(barrier_url, pool_size=1)
    async with engine.connect() as closer:
        await closer.execute(text("BEGIN"))
        await closer.execute(text(f"SELECT pg_advisory_xact_lock({BALLOT_BARRIER}, :b)"), {"b": ballot_id})
        await closer.execute(text("SELECT id FROM ballot WHERE id = :b FOR UPDATE"), {"b": ballot_id})
        pending = asyncio.ensure_future(served.http.post(
            f"/api/v1/ballots/{ballot_id}/votes", json={"projects": [ids[0]]}, headers=_bearer(served, voters[0])))
        await asyncio.sleep(0.3)
        assert not pending.done()  # it waits for the close
        await closer.execute(text("UPDATE ballot SET status = 'closed', closes_at = clock_timestamp() WHERE id = :b"),
                             {"b": ballot_id})
        await closer.execute(text("COMMIT"))
    await engine.dispose()
    answer = await pending
    assert answer.status_code == 409 and answer.json()["detail"] == "Voting is closed."
    assert await _rows(barrier_url, "SELECT 1 FROM vote WHERE ballot_id = :b", b=ballot_id) == []
