"""The vote's own lane answers a plain vote as the full application does, and hands everything else to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest

from tests.ballot_factories import seed_committed_ballot
from tests.conftest import bearer_for, count_rows, libpq_url
from voting.web import vote_lane

pytestmark = pytest.mark.anyio


DATABASE_PREFIX = "gb_lane"  # the committed_url fixture (tests/conftest.py) names its database so
LANGUAGE = "fr"  # and served speaks it


@pytest.fixture
def lane_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, for each request the lane takes, whether it answered it itself (True) or handed it on (False)."""
    calls: list[bool] = []
    original = vote_lane._cast

    async def counted(*args: Any) -> Any:
        try:
            cast = await original(*args)
        except Exception:
            calls.append(False)
            raise
        calls.append(cast is not None)
        return cast

    monkeypatch.setattr(vote_lane, "_cast", counted)
    return calls


def _shape(answer: httpx.Response) -> tuple[int, dict[str, str], set[str]]:
    headers = {k: v for k, v in answer.headers.items() if k != "content-length"}
    return answer.status_code, headers, set(answer.json())


async def test_a_plain_vote_gets_the_same_answer_from_the_lane_as_from_the_full_app(served, committed_url,
                                                                                   lane_calls):
    app, http = served
    ballot_id, ids, _moderator, voters = await seed_committed_ballot(committed_url, 2)
    url = f"/api/v1/ballots/{ballot_id}/votes"
    fast = await http.post(url, json={"projects": [ids[0]], "extra": {"ignored": [1]}},
                           headers=bearer_for(app, voters[0]))
    assert lane_calls == [True]
    app.state.vote_lane = False
    try:
        full = await http.post(url, json={"projects": [ids[0]], "extra": {"ignored": [1]}},
                               headers=bearer_for(app, voters[1]))
    finally:
        app.state.vote_lane = True
    assert lane_calls == [True]  # the second went through the framework
    assert fast.status_code == 201 and _shape(fast) == _shape(full), (fast.headers, full.headers)
    assert fast.headers["cache-control"] == "no-store" and "content-security-policy" in fast.headers
    assert fast.json()["ballot_id"] == ballot_id and fast.json()["channel"] == "online"
    assert fast.json()["replaced_previous"] is False
    again = await http.post(url, json={"projects": [ids[1]]}, headers=bearer_for(app, voters[0]))
    assert again.status_code == 201 and again.json()["replaced_previous"] is True
    assert await count_rows(committed_url, "SELECT count(*) FROM participation") == 2


@pytest.mark.parametrize(("body", "headers", "status", "detail"), [
    (b'{"projects": ["x"]}', {}, 401, "Connectez-vous"),  # no token
    (b'{"projects": [', None, 400, None),  # not JSON
    (b'{"projects": "one"}', None, 400, None),  # not a list
    (b'{"blank": "yes"}', None, 422, None),  # the schema reads "yes" as true; this ballot has no blank vote
    (b'{"projects": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}', None,
     400, None),
    (b'{"projects": [999999]}', None, 422, None),  # not a project of the ballot: refused by the cast
])
async def test_anything_but_a_plain_accepted_vote_is_answered_by_the_full_app(served, committed_url, lane_calls,
                                                                              body, headers, status, detail):
    app, http = served
    ballot_id, _ids, _moderator, voters = await seed_committed_ballot(committed_url, 1)
    sent = bearer_for(app, voters[0]) if headers is None else headers
    answer = await http.post(f"/api/v1/ballots/{ballot_id}/votes", content=body,
                             headers={**sent, "content-type": "application/json"})
    assert answer.status_code == status, answer.text
    assert "detail" in answer.json() and (detail is None or detail in answer.json()["detail"])
    assert True not in lane_calls
    assert "content-security-policy" in answer.headers
    assert await count_rows(committed_url, "SELECT count(*) FROM vote_envelope") == 0


async def test_a_refused_vote_is_answered_in_the_callers_language_and_a_long_key_by_the_framework(
        served, committed_url, lane_calls):
    app, http = served
    ballot_id, ids, _moderator, voters = await seed_committed_ballot(committed_url, 1)
    url = f"/api/v1/ballots/{ballot_id}/votes"
    closed = await asyncpg.connect(libpq_url(committed_url))
    try:
        await closed.execute("UPDATE ballot SET status = 'closed' WHERE id = $1", ballot_id)
    finally:
        await closed.close()
    refused = await http.post(url, json={"projects": [ids[0]]}, headers=bearer_for(app, voters[0]))
    assert refused.status_code == 409 and refused.json()["detail"] == "Le vote est clos."
    long_key = await http.post(url, json={"projects": [ids[0]]},
                               headers={**bearer_for(app, voters[0]), "Idempotency-Key": "k" * 201})
    assert long_key.status_code == 400, long_key.text
    assert lane_calls == [False, False]  # both answered by the full app


async def test_a_retry_with_the_same_key_through_the_lane_answers_the_same_receipt(served, committed_url,
                                                                                   lane_calls):
    app, http = served
    ballot_id, ids, _moderator, voters = await seed_committed_ballot(committed_url, 1)
    headers = {**bearer_for(app, voters[0]), "Idempotency-Key": "retry-1"}
    url = f"/api/v1/ballots/{ballot_id}/votes"
    first = await http.post(url, json={"projects": [ids[0]]}, headers=headers)
    second = await http.post(url, json={"projects": [ids[0]]}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json()["receipt"] == first.json()["receipt"] and second.json()["replayed"] is True
    assert lane_calls == [True, True]
    assert await count_rows(committed_url, "SELECT count(*) FROM vote_envelope") == 1


@pytest.mark.parametrize("extra", [
    b"\xef\xbb\xbf",  # a byte-order mark before the object
    ', "note": NaN', ', "note": 1e999', ', "note": "\\ud800"',  # not JSON to the framework's decoder
    ', "note": ' + "[" * 33 + "]" * 33,  # nested deeper than the framework allows
    "utf-16",
])
async def test_a_body_the_framework_refuses_is_refused_in_the_lane_too(served, committed_url, lane_calls, extra):
    app, http = served
    ballot_id, ids, _moderator, voters = await seed_committed_ballot(committed_url, 2)
    plain = f'{{"projects": [{ids[0]}]'
    body = (extra + (plain + "}").encode() if isinstance(extra, bytes) else (plain + "}").encode("utf-16")
            if extra == "utf-16" else (plain + extra + "}").encode())
    sent = {"content-type": "application/json"}
    fast = await http.post(f"/api/v1/ballots/{ballot_id}/votes", content=body,
                           headers={**bearer_for(app, voters[0]), **sent})
    app.state.vote_lane = False
    try:
        full = await http.post(f"/api/v1/ballots/{ballot_id}/votes", content=body,
                               headers={**bearer_for(app, voters[1]), **sent})
    finally:
        app.state.vote_lane = True
    assert fast.status_code == full.status_code == 400, (fast.text, full.text)
    assert lane_calls == [False]


async def test_a_repeated_idempotency_key_header_is_read_as_the_framework_reads_it(served, committed_url,
                                                                                  lane_calls):
    app, http = served
    ballot_id, ids, _moderator, voters = await seed_committed_ballot(committed_url, 1)
    url = f"/api/v1/ballots/{ballot_id}/votes"
    headers = [("authorization", bearer_for(app, voters[0])["Authorization"]),
               ("content-type", "application/json"), ("idempotency-key", "first"), ("idempotency-key", "second")]
    body = f'{{"projects": [{ids[0]}]}}'.encode()
    sent = await http.post(url, content=body, headers=headers)
    app.state.vote_lane = False
    try:
        retried = await http.post(url, content=body, headers=headers)
    finally:
        app.state.vote_lane = True
    assert sent.status_code == retried.status_code == 201
    assert retried.json()["replayed"] is True and retried.json()["receipt"] == sent.json()["receipt"]


async def test_a_fault_after_the_commit_answers_the_committed_vote_once(served, committed_url, lane_calls,
                                                                       monkeypatch):
    app, http = served
    ballot_id, ids, _moderator, voters = await seed_committed_ballot(committed_url, 1)
    held = vote_lane.one_driver_connection

    @asynccontextmanager
    async def lost_on_release() -> AsyncIterator[None]:
        async with held():
            yield
        raise ConnectionResetError("the connection was lost as it was given back")

    monkeypatch.setattr(vote_lane, "one_driver_connection", lost_on_release)
    answer = await http.post(f"/api/v1/ballots/{ballot_id}/votes", json={"projects": [ids[0]]},
                             headers=bearer_for(app, voters[0]))
    assert answer.status_code == 201 and answer.json()["replaced_previous"] is False, answer.text
    assert lane_calls == [True]
    assert await count_rows(committed_url, "SELECT count(*) FROM vote_leaf") == 1  # not cast again by the full app
