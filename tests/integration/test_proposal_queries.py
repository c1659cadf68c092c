"""Browsing: filters, French and English full-text search, pagination, the review queue and one's own list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.proposal_factories import auth, insert_proposal, make_cast

pytestmark = pytest.mark.anyio

API = "/api/v1/proposals"


async def titles(client, **params):
    response = await client.get(API, params=params)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_filters_hide_drafts_and_combine(client, db_session):
    cast = await make_cast(db_session)
    garden = await insert_proposal(db_session, cast.hood, cast.citizen, category="garden")
    trees = await insert_proposal(db_session, cast.hood, cast.citizen, category="fruit-trees", status="rejected")
    other = await insert_proposal(db_session, cast.other_hood, cast.citizen, category="garden")
    draft = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    assert set(await titles(client, neighbourhood_id=cast.hood.id)) == {garden.title, trees.title}
    assert await titles(client, neighbourhood_id=cast.hood.id, category="garden") == [garden.title]
    assert await titles(client, neighbourhood_id=cast.hood.id, status="rejected") == [trees.title]
    assert await titles(client, neighbourhood_id=cast.other_hood.id) == [other.title]
    assert draft.title not in await titles(client, per_page=100)
    assert (await client.get(API, params={"status": "draft"})).status_code == 422
    assert (await client.get(API, params={"per_page": 1000})).status_code == 400


async def test_full_text_search_in_french_and_english(client, db_session):
    cast = await make_cast(db_session)
    french = await insert_proposal(db_session, cast.hood, cast.citizen, title="Pommiers de la place",
                                   summary="Planter des arbres fruitiers pour les enfants du quartier")
    english = await insert_proposal(db_session, cast.hood, cast.citizen, title="Rain gardens",
                                    summary="Gardens that absorb the rain from the streets")
    hood = {"neighbourhood_id": cast.hood.id}
    assert await titles(client, q="arbre fruitier", **hood) == [french.title]     # French stemming
    assert await titles(client, q="enfant", **hood) == [french.title]
    assert await titles(client, q="garden", **hood) == [english.title]            # English stemming
    assert await titles(client, q="absorbing streets", **hood) == [english.title]
    assert await titles(client, q='"rain gardens" -pommiers', **hood) == [english.title]  # websearch syntax
    assert set(await titles(client, q="pommiers or rain", **hood)) == {french.title, english.title}
    assert await titles(client, q="<script>", **hood) == []
    assert await titles(client, q="'); DROP TABLE proposal; --", **hood) == []


async def test_pagination(client, db_session):
    cast = await make_cast(db_session)
    for index in range(5):
        await insert_proposal(db_session, cast.hood, cast.citizen, title=f"P{index}")
    first = (await client.get(API, params={"neighbourhood_id": cast.hood.id, "per_page": 2})).json()
    third = (await client.get(API, params={"neighbourhood_id": cast.hood.id, "per_page": 2, "page": 3})).json()
    assert (first["total"], len(first["items"]), len(third["items"])) == (5, 2, 1)
    assert (await client.get(API, params={"page": 0})).status_code == 400


async def test_review_queue_oldest_first_in_the_moderators_neighbourhoods(client, db_session):
    cast = await make_cast(db_session)
    now = datetime.now(UTC)
    newer = await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")
    older = await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")
    older.submitted_at, newer.submitted_at = now - timedelta(days=3), now - timedelta(days=1)
    db_session.add_all([older, newer])
    elsewhere = await insert_proposal(db_session, cast.other_hood, cast.citizen, status="submitted")
    await insert_proposal(db_session, cast.hood, cast.citizen, status="accepted")
    await db_session.flush()
    queue = (await client.get(f"{API}/queue", headers=await auth(client, cast.moderator))).json()
    assert [item["id"] for item in queue] == [older.id, newer.id]
    admin_queue = (await client.get(f"{API}/queue", headers=await auth(client, cast.admin))).json()
    assert {older.id, newer.id, elsewhere.id} <= {item["id"] for item in admin_queue}
    assert (await client.get(f"{API}/queue", headers=await auth(client, cast.citizen))).status_code == 403


async def test_mine_lists_every_state_of_my_own_proposals_only(client, db_session):
    cast = await make_cast(db_session)
    mine = {(await insert_proposal(db_session, cast.hood, cast.citizen, status=s)).id
            for s in ("draft", "rejected", "withdrawn")}
    await insert_proposal(db_session, cast.hood, cast.neighbour)
    listed = (await client.get(f"{API}/mine", headers=await auth(client, cast.citizen))).json()
    assert {item["id"] for item in listed} == mine


@pytest.mark.parametrize("q", ["le la les", "the", "!!!", "   ", "&|!()<->:*", "a" * 200])
async def test_searches_without_words_are_harmless(client, db_session, q):
    cast = await make_cast(db_session)
    await insert_proposal(db_session, cast.hood, cast.citizen)
    response = await client.get(API, params={"q": q, "neighbourhood_id": cast.hood.id})
    assert response.status_code == 200
    assert response.json()["total"] in (0, 1)
