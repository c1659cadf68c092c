"""Ballot secrecy against a reader of the database: 50 votes (online, paper, replaced), then every linkage a reader
of the live tables or of a dump can try, during voting, after the close and after publication. None may link a
voter to their vote better than chance.

The reader has everything the database holds (``ballot_secret`` included), but not the instance secret, which
lives in the data directory or the environment. "A dump" is what ``pg_dump`` writes for a table's data: a
``COPY ... TO STDOUT`` in physical order, which is what is read here.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from auth.models import Account
from auth.service import issue_for
from ballots.receipts import receipt_hash
from tests.ballot_factories import seed_committed_ballot
from tests.conftest import create_database, drop_database, libpq_url, served_app

pytestmark = pytest.mark.anyio

ONLINE, PAPER, REPLACED = 35, 15, 12  # 50 voters; 12 of the online ones vote twice
RUN_BOUND = 22
"""The longest increasing run of a random permutation of 50 is about 11 (standard deviation under 2); 22 or more
would take a very unlikely draw, while any order the box kept from the voters would give 35 or more."""
CHANCE_BOUND = 7
"""Pairing 50 rows at random matches about one pair (a random permutation's fixed points are nearly Poisson(1));
8 or more happens with probability about 1e-5."""


@pytest.fixture(scope="module")
def secrecy_url(pg_server_url: str) -> Iterator[str]:
    url = create_database(pg_server_url, "gb_secrecy")
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture
async def app_client(secrecy_url: str, tmp_path: Path) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    async with served_app(secrecy_url, tmp_path, language="en") as (app, http):
        yield app, http


class Reader:
    """Someone with read access to the database (or a dump of it), and nothing else."""

    def __init__(self, connection: asyncpg.Connection, ballot_id: int) -> None:
        self.db, self.ballot = connection, ballot_id

    async def dump(self, table: str) -> list[list[str]]:
        """The table's data as pg_dump writes it: COPY TO STDOUT, rows in physical order."""
        chunks: list[bytes] = []

        async def sink(data: bytes) -> None:
            chunks.append(data)

        await self.db.copy_from_table(table, output=sink)
        lines = b"".join(chunks).decode().splitlines()
        return [line.split("\t") for line in lines]

    async def orderings(self) -> dict[str, tuple[list[str], list[str]]]:
        """Orders a reader can put voters and votes in: (voter_refs, receipt hashes of the votes)."""
        b = self.ballot
        votes = [r[0] for r in await self.db.fetch("SELECT receipt_hash FROM vote WHERE ballot_id = $1 ORDER BY ctid",
                                                   b)]
        orders = {
            "participation rows": "SELECT voter_ref FROM participation WHERE ballot_id = $1 ORDER BY ctid",
            "participation transactions": "SELECT voter_ref FROM participation WHERE ballot_id = $1 "
                                          "ORDER BY xmin::text::bigint",
            "current log entries": "SELECT p.voter_ref FROM vote_leaf l JOIN participation p "
                                   "ON p.receipt_key = l.receipt_key WHERE l.ballot_id = $1 ORDER BY l.id"}
        found = {name: ([r[0] for r in await self.db.fetch(sql, b)], votes) for name, sql in orders.items()}
        dumped_voters = [row[1] for row in await self.dump("participation") if row[0] == str(b)]
        dumped_votes = [row[4] for row in await self.dump("vote") if row[0] == str(b)]
        found["pg_dump"] = (dumped_voters, dumped_votes)
        return found

    async def guesses(self) -> dict[str, dict[str, str]]:
        """For each attack, its guess of voter_ref -> receipt hash of the vote in the ballot box."""
        b = self.ballot
        attacks: dict[str, dict[str, str]] = {}
        rows = await self.db.fetch("SELECT p.voter_ref, v.receipt_hash FROM participation p JOIN vote v "
                                   "ON v.ballot_id = p.ballot_id AND v.xmin = p.xmin WHERE p.ballot_id = $1", b)
        attacks["same transaction (xmin)"] = _unique(rows)
        voters = [r[0] for r in await self.db.fetch("SELECT voter_ref FROM participation WHERE ballot_id = $1 "
                                                    "ORDER BY ctid", b)]
        votes = [r[0] for r in await self.db.fetch("SELECT receipt_hash FROM vote WHERE ballot_id = $1 ORDER BY ctid",
                                                   b)]
        attacks["row position (ctid)"] = dict(zip(voters, votes, strict=False))
        by_xmin = [r[0] for r in await self.db.fetch("SELECT voter_ref FROM participation WHERE ballot_id = $1 "
                                                     "ORDER BY xmin::text::bigint", b)]
        attacks["transaction order (xmin)"] = dict(zip(by_xmin, votes, strict=False))
        salt = await self.db.fetchval("SELECT slot_key FROM ballot_secret WHERE ballot_id = $1", b)
        slots = {bytes(r[0]): r[1] for r in await self.db.fetch("SELECT slot, receipt_hash FROM vote "
                                                               "WHERE ballot_id = $1", b)}
        attacks["slot from ballot_secret"] = {
            ref: slots[digest] for ref in voters
            if (digest := hmac.new(bytes(salt), ref.encode(), hashlib.sha256).digest()) in slots}
        via_log = await self.db.fetch(
            "SELECT p.voter_ref, v.receipt_hash FROM participation p JOIN vote_leaf l ON l.receipt_key = p.receipt_key "
            "JOIN vote v ON v.ballot_id = l.ballot_id AND (v.receipt_hash = l.receipt_key OR "
            "v.commitment = l.masked_commitment OR v.xmin = l.xmin) WHERE p.ballot_id = $1", b)
        attacks["through the vote log"] = _unique(via_log)
        leaves = [r[0] for r in await self.db.fetch(
            "SELECT p.voter_ref FROM vote_leaf l JOIN participation p ON p.receipt_key = l.receipt_key "
            "WHERE l.ballot_id = $1 ORDER BY l.id", b)]
        attacks["log order"] = dict(zip(leaves, votes, strict=False))
        dumped_voters = [row[1] for row in await self.dump("participation") if row[0] == str(b)]
        dumped_votes = [row[4] for row in await self.dump("vote") if row[0] == str(b)]
        attacks["pg_dump position"] = dict(zip(dumped_voters, dumped_votes, strict=False))
        return attacks


def _unique(pairs: list[Any]) -> dict[str, str]:
    """The links a join proves: voters it pairs with exactly one vote (a join that pairs everyone with everyone,
    as a shared transaction id of the close would, proves nothing)."""
    candidates: dict[str, set[str]] = {}
    for ref, digest in pairs:
        candidates.setdefault(ref, set()).add(digest)
    return {ref: next(iter(found)) for ref, found in candidates.items() if len(found) == 1}


def _longest_run_in_order(voters: list[str], votes: list[str], truth: dict[str, str]) -> int:
    """The longest increasing subsequence of the places of the voters' votes, taken in the reader's voter order.

    If the box kept any order of the voters (their first or last vote, their transactions), most voters would be
    in one increasing run: a reader pairs them by rank. In a random order the longest run of 50 is about 11."""
    import bisect

    place = {digest: n for n, digest in enumerate(votes)}
    tails: list[int] = []
    for ref in voters:
        if truth.get(ref) in place:
            at = bisect.bisect_left(tails, place[truth[ref]])
            tails[at:at + 1] = [place[truth[ref]]]
    return len(tails)


def _linked(guess: dict[str, str], truth: dict[str, str]) -> int:
    return sum(1 for ref, digest in guess.items() if truth.get(ref) == digest)


async def test_a_database_reader_links_no_voter_to_a_vote(app_client, secrecy_url):
    app, http = app_client
    ballot_id, ids, moderator, voters = await seed_committed_ballot(secrecy_url, ONLINE + PAPER)
    settings = app.state.settings

    def bearer(account: Account) -> dict[str, str]:
        token = issue_for(app.state.key_ring, account, issuer=settings.issuer, audience=settings.audience,
                          ttl_seconds=600).token
        return {"Authorization": f"Bearer {token}"}

    choices = [[ids[0]], [ids[1]], [ids[2]], [ids[0], ids[1]], [ids[1], ids[2]]]
    truth: dict[str, str] = {}  # voter_ref -> receipt hash of the vote that counts
    order = list(range(ONLINE + PAPER))
    random.shuffle(order)
    replacing = set(order[:REPLACED]) & set(range(ONLINE))
    for n in order:
        voter = voters[n]
        if n < ONLINE:
            answer = await http.post(f"/api/v1/ballots/{ballot_id}/votes", json={"projects": random.choice(choices)},
                                     headers=bearer(voter))
        else:
            answer = await http.post(f"/api/v1/ballots/{ballot_id}/paper-votes",
                                     json={"voter": voter.email, "projects": random.choice(choices)},
                                     headers=bearer(moderator))
        assert answer.status_code == 201, answer.text
        truth[f"a:{voter.id}"] = receipt_hash(answer.json()["receipt"])
    for n in replacing:
        answer = await http.post(f"/api/v1/ballots/{ballot_id}/votes", json={"projects": random.choice(choices)},
                                 headers=bearer(voters[n]))
        assert answer.status_code == 201 and answer.json()["replaced_previous"] is True
        truth[f"a:{voters[n].id}"] = receipt_hash(answer.json()["receipt"])
    assert len(truth) == ONLINE + PAPER == 50

    reader = Reader(await asyncpg.connect(libpq_url(secrecy_url)), ballot_id)
    try:
        # While voting runs the ballot box holds only sealed envelopes: no vote, no content in the clear.
        assert await reader.db.fetchval("SELECT count(*) FROM vote WHERE ballot_id = $1", ballot_id) == 0
        sealed = [bytes(r[0]) for r in await reader.db.fetch("SELECT sealed FROM vote_envelope WHERE ballot_id = $1",
                                                             ballot_id)]
        assert len(sealed) == 50 + len(replacing)
        assert not any(b"projects" in blob or digest.encode() in blob for blob in sealed for digest in truth.values())
        assert all(_linked(guess, truth) == 0 for guess in (await reader.guesses()).values())

        moderator_headers = bearer(moderator)
        for stage in ("closed", "tallied", "published"):
            moved = await http.post(f"/api/v1/ballots/{ballot_id}/transitions/{stage}", headers=moderator_headers)
            assert moved.status_code == 200, moved.text
            assert await reader.db.fetchval("SELECT count(*) FROM vote WHERE ballot_id = $1", ballot_id) == 50
            assert await reader.db.fetchval("SELECT count(*) FROM vote_envelope WHERE ballot_id = $1", ballot_id) == 0
            for attack, guess in (await reader.guesses()).items():
                linked = _linked(guess, truth)
                if attack in ("same transaction (xmin)", "slot from ballot_secret", "through the vote log"):
                    assert linked == 0, (stage, attack, linked)
                else:  # an ordering: no better than pairing at random
                    assert linked <= CHANCE_BOUND, (stage, attack, linked)
            for order, (voter_order, vote_order) in (await reader.orderings()).items():
                run = _longest_run_in_order(voter_order, vote_order, truth)
                assert run <= RUN_BOUND, (stage, order, run)
        board = (await http.get(f"/api/v1/ballots/{ballot_id}/bulletin")).json()
        assert {row["receipt_hash"] for row in board["board"]} == set(truth.values())  # every last vote counted
    finally:
        await reader.db.close()
