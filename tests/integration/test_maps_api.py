"""The maps' GeoJSON, the map page with its filters, coordinates in words, and the CSP with the city's tiles."""

from __future__ import annotations

import pytest

from tests.proposal_factories import ENGLISH, insert_proposal, make_ballot, make_cast
from voting.admin.settings import update_city_settings

pytestmark = pytest.mark.anyio

SQUARE = {"type": "Polygon", "coordinates": [[[3.0, 45.7], [3.1, 45.7], [3.1, 45.8], [3.0, 45.7]]]}


async def test_public_proposals_with_coordinates_only(client, db_session):
    cast = await make_cast(db_session)
    placed = await insert_proposal(db_session, cast.hood, cast.citizen, latitude=45.7772, longitude=3.087)
    await insert_proposal(db_session, cast.hood, cast.citizen, latitude=45.7, longitude=3.0, status="draft")
    await insert_proposal(db_session, cast.hood, cast.citizen)  # no place
    other = await insert_proposal(db_session, cast.other_hood, cast.citizen, latitude=45.8, longitude=3.1,
                                  status="submitted", category="fruit-trees")
    body = (await client.get("/api/v1/map/proposals", params={"neighbourhood_id": cast.hood.id})).json()
    assert [f["properties"]["id"] for f in body["features"]] == [placed.id]
    assert body["features"][0]["geometry"] == {"type": "Point", "coordinates": [3.087, 45.7772]}
    filtered = (await client.get("/api/v1/map/proposals", params={"status": "submitted",
                                                                  "category": "fruit-trees"})).json()
    assert other.id in [f["properties"]["id"] for f in filtered["features"]]
    assert placed.id not in [f["properties"]["id"] for f in filtered["features"]]
    refused = await client.get("/api/v1/map/proposals", params={"status": "draft"}, headers=ENGLISH)
    assert refused.status_code == 422 and "draft" in refused.text


async def test_a_ballots_projects_once_it_is_no_longer_a_draft(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen, latitude=45.7, longitude=3.05)
    draft = await make_ballot(db_session, cast.hood, proposals=[proposal])
    shown = await make_ballot(db_session, cast.hood, status="open", proposals=[proposal])
    assert (await client.get(f"/api/v1/map/proposals?ballot_id={draft.id}")).json()["features"] == []
    features = (await client.get(f"/api/v1/map/proposals?ballot_id={shown.id}")).json()["features"]
    assert [f["properties"]["id"] for f in features] == [proposal.id]


async def test_boundaries_named_in_the_readers_language(client, db_session):
    cast = await make_cast(db_session)
    cast.hood.boundary = SQUARE
    db_session.add(cast.hood)
    await db_session.flush()
    body = (await client.get(f"/api/v1/map/neighbourhoods?neighbourhood_id={cast.hood.id}",
                             headers={"Accept-Language": "fr"})).json()
    mine = [f for f in body["features"] if f["properties"]["id"] == cast.hood.id]
    assert mine[0]["geometry"] == SQUARE and mine[0]["properties"]["highlight"] is True
    assert mine[0]["properties"]["name"] == cast.hood.name_fr
    assert all(f["properties"]["id"] != cast.other_hood.id for f in body["features"])  # no boundary stored


async def test_the_map_page_lists_what_it_shows(client, db_session):
    cast = await make_cast(db_session)
    placed = await insert_proposal(db_session, cast.hood, cast.citizen, latitude=45.7, longitude=3.05,
                                   title="Verger du square")
    page = await client.get(f"/map?neighbourhood={cast.hood.id}&status=accepted", headers=ENGLISH)
    assert page.status_code == 200
    assert "Verger du square" in page.text and f'href="/proposals/{placed.id}"' in page.text
    assert f"/api/v1/map/proposals?status=accepted&amp;neighbourhood_id={cast.hood.id}" in page.text
    assert "/static/vendor/leaflet/leaflet.js" in page.text
    bad = await client.get("/map?neighbourhood=abc", headers=ENGLISH)
    assert bad.status_code in (400, 422)


async def test_proposal_page_shows_coordinates_in_words_and_its_place(client, db_session):
    cast = await make_cast(db_session)
    placed = await insert_proposal(db_session, cast.hood, cast.citizen, latitude=45.7772, longitude=3.087)
    page = await client.get(f"/proposals/{placed.id}", headers=ENGLISH)
    assert "45°\u202f46′\u202f38″\u00a0N, 3°\u202f05′\u202f13″\u00a0E" in page.text
    assert "45.7772, 3.087" not in page.text
    assert 'data-marker-lat="45.7772"' in page.text
    assert f"/api/v1/map/neighbourhoods?neighbourhood_id={cast.hood.id}" in page.text


async def test_tiles_setting_reaches_the_maps_and_the_csp(client, db_session):
    before = await client.get("/map")
    assert "img-src 'self' data:;" in before.headers["content-security-policy"]
    assert "data-tiles" not in before.text  # no tiles: the boundaries alone
    await update_city_settings(db_session, actor="test", actor_id=None, changes={
        "map_tiles_url": "https://{s}.tile.example.org/{z}/{x}/{y}.png", "map_attribution": "© Example <b>"})
    after = await client.get("/map")
    assert "img-src 'self' data: https://*.tile.example.org;" in after.headers["content-security-policy"]
    assert 'data-tiles="https://{s}.tile.example.org/{z}/{x}/{y}.png"' in after.text
    assert 'data-attribution="© Example &lt;b&gt;"' in after.text
    refused = await client.put("/api/v1/admin/settings", json={"map_tiles_url": "https://x.org/tiles.png"},
                               headers=ENGLISH)
    assert refused.status_code in (401, 403)  # anonymous; the rule itself is unit-tested
