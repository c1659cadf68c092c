"""The follow-up over HTTP: the API (moderator's update and milestone, a photo, volunteering) and the pages
("what we are building", a project's page, the moderators' forms, the volunteer buttons)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from tests.factories import browser_login, csrf_token
from tests.followup_factories import publish_with_funded
from tests.proposal_factories import ENGLISH, PNG, auth, make_cast
from voting.mail.models import OutboxMessage

pytestmark = pytest.mark.anyio


async def test_the_api_round(client, db_session):
    cast = await make_cast(db_session)
    [project, _] = await publish_with_funded(db_session, cast, funded=2, unfunded=0)
    listed = (await client.get("/api/v1/funded-projects", params={"neighbourhood_id": cast.hood.id})).json()
    assert [p["id"] for p in listed][:1] == [project.id] and listed[0]["status"] == "planned"
    citizen = await auth(client, cast.neighbour)
    joined = await client.put(f"/api/v1/funded-projects/{project.id}/volunteers/me", headers=citizen)
    assert joined.status_code == 200 and joined.json()["volunteers"] == 1
    assert (await client.patch(f"/api/v1/funded-projects/{project.id}", json={"progress": 50},
                               headers=citizen)).status_code == 403
    moderator = await auth(client, cast.moderator)
    updated = await client.patch(f"/api/v1/funded-projects/{project.id}",
                                 json={"status": "in_progress", "progress": 30, "budget_spent": 2500},
                                 headers=moderator)
    assert updated.status_code == 200, updated.text
    assert updated.json()["progress"] == 30 and updated.json()["budget_spent"] == 2500
    made = await client.post(f"/api/v1/funded-projects/{project.id}/milestones", headers=moderator,
                             json={"kind": "work_day", "title": "Planting", "happens_on": "2099-03-06"})
    assert made.status_code == 201, made.text
    photo = await client.put(f"/api/v1/funded-projects/{project.id}/milestones/{made.json()['id']}/photo",
                             files={"photo": ("p.png", PNG, "image/png")}, headers=moderator)
    assert photo.status_code == 200, photo.text
    assert (await client.get(photo.json()["photo_url"])).content == PNG
    thumbnail = await client.get(photo.json()["photo_url"].replace("/photo", "/thumbnail"))
    assert thumbnail.headers["content-type"] == "image/webp" and thumbnail.content[:4] == b"RIFF"
    shown = (await client.get(f"/api/v1/funded-projects/{project.id}")).json()
    assert shown["next_work_day"] == "2099-03-06" and shown["volunteers"] == 1
    assert shown["milestones"][0]["photo_url"].endswith("/photo")
    bad = await client.patch(f"/api/v1/funded-projects/{project.id}", json={"status": "abandoned"},
                             headers=moderator)
    assert bad.status_code == 422 and "why" in bad.text
    geo = (await client.get("/api/v1/funded-projects/map", params={"neighbourhood_id": cast.hood.id})).json()
    assert {f["properties"]["id"] for f in geo["features"]} >= {project.id}
    left = await client.delete(f"/api/v1/funded-projects/{project.id}/volunteers/me", headers=citizen)
    assert left.json() == {"project_id": project.id, "volunteers": 0, "volunteering": False}
    mails = (await db_session.exec(select(OutboxMessage).where(
        col(OutboxMessage.to_address) == cast.neighbour.email))).all()
    assert [m.kind for m in mails] == ["project_update", "project_update"]  # the status move and the work day
    unknown = await client.get("/api/v1/funded-projects/987654", headers=ENGLISH)
    assert unknown.status_code == 404 and "987654" in unknown.text


async def test_the_pages_and_forms(client, db_session):
    cast = await make_cast(db_session)
    [project] = await publish_with_funded(db_session, cast, funded=1, unfunded=0)
    listing = await client.get("/building", headers=ENGLISH)
    assert listing.status_code == 200 and f'href="/building/{project.id}"' in listing.text
    anonymous = await client.get(f"/building/{project.id}", headers=ENGLISH)
    assert "Log in to take part" in anonymous.text and "manage-project" not in anonymous.text
    await browser_login(client, cast.moderator.email)
    token = await csrf_token(client)
    refused = await client.post(f"/building/{project.id}/status", headers=ENGLISH, data={
        "_csrf_token": token, "status": "abandoned", "progress": "10", "budget_spent": "0", "reason": ""})
    assert refused.status_code == 422 and "why" in refused.text
    assert 'value="10"' in refused.text  # what was typed is kept
    posted = await client.post(f"/building/{project.id}/milestones", headers=ENGLISH, data={
        "_csrf_token": token, "kind": "milestone", "title": "Soil delivered", "body": "Twelve tonnes.",
        "happens_on": date(2027, 3, 1).isoformat()}, files={"photo": ("soil.png", PNG, "image/png")})
    assert posted.status_code in (302, 303), posted.text
    page = await client.get(f"/building/{project.id}", headers=ENGLISH)
    assert "Soil delivered" in page.text and 'data-testid="milestone-photo"' in page.text
    assert "Monday 1 March 2027" in page.text
    bad_day = await client.post(f"/building/{project.id}/milestones", headers=ENGLISH, data={
        "_csrf_token": token, "kind": "milestone", "title": "X", "happens_on": "01/03/2027"})
    assert bad_day.status_code == 422 and "YYYY-MM-DD" in bad_day.text


async def test_a_resident_volunteers_on_the_page(client, db_session):
    cast = await make_cast(db_session)
    [project] = await publish_with_funded(db_session, cast, funded=1, unfunded=0)
    await browser_login(client, cast.neighbour.email)
    token = await csrf_token(client)
    joined = await client.post(f"/building/{project.id}/volunteer", data={"_csrf_token": token})
    assert joined.status_code in (302, 303)
    page = await client.get(f"/building/{project.id}", headers=ENGLISH)
    assert "1 neighbour takes part" in page.text and "Stop taking part" in page.text
