"""The API's shared request fields: ids and amounts bounded by their columns, partial updates that refuse null;
each refusal is a 400 naming the field, and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.ballot_factories import make_open_ballot
from tests.factories import bearer, make_account, make_neighbourhood
from voting.fields import BIGINT_MAX, INTEGER_MAX
from voting.models import Neighbourhood

pytestmark = pytest.mark.anyio
TOO_BIG = INTEGER_MAX + 1


def refused_keys(response) -> set[str]:
    assert response.status_code == 400, response.text
    return {problem["key"] for problem in response.json()["extra"]}


@pytest.fixture
async def city(db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, ids = await make_open_ballot(db_session, hood, moderator)
    return {"hood": hood, "moderator": moderator, "ballot": ballot, "ids": ids}


@pytest.mark.parametrize("path", [
    "/api/v1/ballots/{id}", "/api/v1/ballots/{id}/turnout", "/api/v1/ballots/{id}/checkpoints/latest",
    "/api/v1/ballots/{id}/result", "/api/v1/ballots/{id}/bulletin", "/api/v1/ballots/{id}/exports/result.json",
    "/api/v1/proposals/{id}", "/api/v1/proposals/{id}/history",
])
@pytest.mark.parametrize("number", [TOO_BIG, 10**25, 0])
async def test_a_path_id_no_row_can_have_is_a_400(client, path, number):
    key = "ballot_id" if path.startswith("/api/v1/ballots/") else "proposal_id"
    assert refused_keys(await client.get(path.format(id=number))) == {key}


async def test_path_ids_are_bounded_on_writes_too(client, city):
    headers = await bearer(client, city["moderator"].email)
    assert refused_keys(await client.post(f"/api/v1/ballots/{TOO_BIG}/votes", headers=headers,
                                          json={"projects": []})) == {"ballot_id"}
    assert refused_keys(await client.put(f"/api/v1/proposals/{TOO_BIG}/support", headers=headers)) == {"proposal_id"}
    assert refused_keys(await client.post(f"/api/v1/ballots/{TOO_BIG}/tally", headers=headers)) == {"ballot_id"}


async def test_listing_filters_are_bounded(client):
    assert refused_keys(await client.get("/api/v1/proposals", params={"neighbourhood_id": TOO_BIG})) == {
        "neighbourhood_id"}
    assert refused_keys(await client.get("/api/v1/proposals", params={"page": 10**20})) == {"page"}
    assert (await client.get("/api/v1/proposals", params={"page": 1_000_000})).json()["items"] == []


async def test_ids_and_amounts_in_bodies_are_bounded(client, city):
    headers = await bearer(client, city["moderator"].email)
    now = datetime.now(UTC)
    ballot = {"neighbourhood_id": city["hood"].id, "title": "Budget vert", "budget": 50_000, "proposal_ids": [],
              "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=3)).isoformat()}
    assert refused_keys(await client.post("/api/v1/ballots", headers=headers,
                                          json={**ballot, "proposal_ids": [TOO_BIG]})) == {"proposal_ids.0"}
    assert refused_keys(await client.post("/api/v1/ballots", headers=headers,
                                          json={**ballot, "budget": BIGINT_MAX + 1, "max_projects": TOO_BIG,
                                                "neighbourhood_id": TOO_BIG})) == {
        "budget", "max_projects", "neighbourhood_id"}
    proposal = {"title": "Un verger partagé", "summary": "Des arbres fruitiers pour tous.",
                "description": "Planter vingt arbres fruitiers dans le square.", "neighbourhood_id": TOO_BIG,
                "estimated_cost": 10_000}
    assert refused_keys(await client.post("/api/v1/proposals", headers=headers, json=proposal)) == {
        "neighbourhood_id"}
    shortlist = await client.put(f"/api/v1/ballots/{city['ballot'].id}/shortlist", headers=headers,
                                 json={"mode": "top", "n": 10**30})
    assert refused_keys(shortlist) == {"n"}


async def test_a_ballot_update_refuses_null_for_what_a_ballot_must_have(client, db_session, city):
    now = datetime.now(UTC)
    draft, _ = await make_open_ballot(db_session, city["hood"], city["moderator"], status="draft",
                                      opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=3),
                                      max_projects=2)
    headers = await bearer(client, city["moderator"].email)
    path = f"/api/v1/ballots/{draft.id}"
    refused = await client.patch(path, headers=headers, json={"opens_at": None, "title": None, "budget": None})
    assert refused_keys(refused) == {"opens_at", "title", "budget"}
    assert "cannot be null" in refused.json()["extra"][0]["message"]
    await db_session.refresh(draft)
    assert draft.title.startswith("Ballot") and draft.budget == 100_000
    cleared = await client.patch(path, headers=headers, json={"max_projects": None})
    assert cleared.status_code == 200 and cleared.json()["max_projects"] is None


async def test_a_neighbourhood_update_refuses_null_names_and_postcodes(client, db_session):
    hood = await make_neighbourhood(db_session, population=4200, postcodes=["63100"])
    admin = await make_account(db_session, "admin")
    headers = await bearer(client, admin.email)
    path = f"/api/v1/admin/neighbourhoods/{hood.slug}"
    refused = await client.patch(path, headers=headers, json={"name_fr": None, "name_en": "", "postcodes": None})
    assert refused_keys(refused) == {"name_fr", "postcodes"}
    stored = await db_session.get(Neighbourhood, hood.id)
    await db_session.refresh(stored)
    assert (stored.name_fr, stored.postcodes, stored.population) == (hood.name_fr, ["63100"], 4200)
    cleared = await client.patch(path, headers=headers, json={"population": None, "postcodes": []})
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["population"], cleared.json()["postcodes"]) == (None, [])
