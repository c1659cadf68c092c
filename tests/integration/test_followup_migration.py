"""Migration 0019: ballots published before it get their funded projects (named as their tally names them), and
it goes down and up again."""

from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg

from tests.conftest import create_database, drop_database, in_thread, libpq_url

SEED = [
    "INSERT INTO account (id, email, display_name, password_hash, is_active) VALUES ($1, 'm@example.org', 'M', 'x', "
    "true)",
    "INSERT INTO neighbourhood (slug, name_fr, name_en) VALUES ('migr', 'M', 'M') RETURNING id",
    "INSERT INTO category (slug, name_fr, name_en) VALUES ('garden', 'Jardin', 'Garden') ON CONFLICT DO NOTHING",
]


async def _seed(url: str) -> list[int]:
    c = await asyncpg.connect(url)
    try:
        account = uuid.uuid4()
        await c.execute(SEED[0], account)
        hood = await c.fetchval(SEED[1])
        await c.execute(SEED[2])
        ids = [await c.fetchval("INSERT INTO proposal (title, summary, category, neighbourhood_id, estimated_cost, "
                                "proposer_id, status) VALUES ($1, 's', 'garden', $2, 100, $3, 'accepted') RETURNING id",
                                f"P{i}", hood, account) for i in range(3)]
        ballot = await c.fetchval("INSERT INTO ballot (title, budget, status, opens_at, closes_at) VALUES ('B', 1000, "
                                  "'published', now() - interval '2 days', now() - interval '1 day') RETURNING id")
        for i, pid in enumerate(ids):
            await c.execute("INSERT INTO ballot_proposal (ballot_id, proposal_id, cost, position) VALUES ($1, $2, $3, "
                            "$4)", ballot, pid, 100 + i, i)
        document = json.dumps({"selected": [str(ids[0]), str(ids[2])], "projects": []})
        await c.execute("INSERT INTO ballot_result (ballot_id, rule, tie_break, input_digest, document, "
                        "document_sha256) VALUES ($1, 'greedy', 't', 'd', $2, 's')", ballot, document)
        return ids
    finally:
        await c.close()


async def _funded(url: str) -> list[tuple[int, int]]:
    c = await asyncpg.connect(url)
    try:
        rows = await c.fetch("SELECT proposal_id, budget FROM funded_project ORDER BY proposal_id")
        return [(row[0], row[1]) for row in rows]
    finally:
        await c.close()


def test_published_ballots_get_their_funded_projects(pg_server_url):
    from alembic import command

    from voting.migrate import alembic_config, upgrade

    database = create_database(pg_server_url, "gb_migr")
    url = libpq_url(database)
    try:
        in_thread(command.downgrade, alembic_config(url), "0019-1")  # 0019 alone goes down
        ids = in_thread(asyncio.run, _seed(url))
        in_thread(upgrade, url)
        assert in_thread(asyncio.run, _funded(url)) == [(ids[0], 100), (ids[2], 102)]
    finally:
        drop_database(pg_server_url, database)
