"""The verification desk: a moderator records a residence seen on an ID in person, only in their
neighbourhoods; citizens are refused; the audit names the moderator, never the document or the birth date."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from tests.factories import bearer, browser_login, make_account, make_neighbourhood, post_form
from voting.models import AuditEntry

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def instance_secret():
    """The test app's secret (tests/conftest.py), also for services called without an app."""
    from auth.census.key import use_instance_secret

    use_instance_secret("test-secret")


@pytest.fixture
async def city(db_session):
    mine = await make_neighbourhood(db_session)
    other = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[mine.slug])
    return mine, other, moderator


async def test_a_moderator_records_a_residence_in_their_neighbourhood(client, db_session, city):
    mine, _, moderator = city
    resident = await make_account(db_session, verified=False)
    headers = await bearer(client, moderator.email)
    found = await client.get("/api/v1/desk/accounts", headers=headers, params={"q": resident.display_name.upper()})
    assert [a["email"] for a in found.json()] == [resident.email]
    done = await client.post("/api/v1/desk/verifications", headers=headers, json={
        "account_id": str(resident.id), "neighbourhood": mine.slug, "birth_date": "04/07/1979", "id_checked": True})
    assert done.status_code == 201, done.text
    assert (done.json()["verified_how"], done.json()["neighbourhood"], done.json()["birth_date"]) == (
        "desk", mine.slug, "1979-07-04")
    await db_session.refresh(resident)
    assert (resident.verified_how, resident.neighbourhood_id, resident.birth_date) == ("desk", mine.id,
                                                                                      date(1979, 7, 4))
    entry = (await db_session.exec(select(AuditEntry).where(AuditEntry.action == "desk.verified",
                                                            AuditEntry.subject == f"account:{resident.id}"))).one()
    assert entry.actor == f"account:{moderator.id}"
    assert entry.data == {"how": "desk", "neighbourhood": mine.slug, "id_checked_in_person": True}


@pytest.mark.parametrize(("change", "status", "words"), [
    ({"neighbourhood": "OTHER"}, 403, "only in your own neighbourhoods"),
    ({"id_checked": False}, 422, "identity document in person"),
    ({"birth_date": "2999-01-01"}, 422, "future"),
    ({"birth_date": "31/02/1980"}, 422, "not a real date"),
    ({"neighbourhood": "atlantis"}, 422, "Choose a neighbourhood"),
    ({"account_id": "00000000-0000-0000-0000-000000000000"}, 404, "Unknown account"),
])
async def test_refusals_change_nothing(client, db_session, city, change, status, words):
    mine, other, moderator = city
    resident = await make_account(db_session, verified=False)
    body = {"account_id": str(resident.id), "neighbourhood": mine.slug, "birth_date": "1979-07-04",
            "id_checked": True, **change}
    if body["neighbourhood"] == "OTHER":
        body["neighbourhood"] = other.slug
    refused = await client.post("/api/v1/desk/verifications", headers=await bearer(client, moderator.email),
                                json=body)
    assert refused.status_code == status and words in refused.json()["detail"]
    await db_session.refresh(resident)
    assert resident.verified_at is None and resident.neighbourhood_id is None


async def test_citizens_are_refused_admins_work_anywhere_nobody_verifies_themselves(client, db_session, city):
    _, other, moderator = city
    resident = await make_account(db_session, verified=False)
    body = {"account_id": str(resident.id), "neighbourhood": other.slug, "birth_date": "1979-07-04",
            "id_checked": True}
    citizen = await make_account(db_session)
    citizen_headers = await bearer(client, citizen.email)
    assert (await client.post("/api/v1/desk/verifications", headers=citizen_headers, json=body)).status_code == 403
    assert (await client.get("/api/v1/desk/accounts", headers=citizen_headers, params={"q": "abc"})).status_code == 403
    assert (await client.get("/desk", headers=citizen_headers)).status_code == 403
    admin_headers = await bearer(client, (admin := await make_account(db_session, "admin")).email)
    assert (await client.post("/api/v1/desk/verifications", headers=admin_headers, json=body)).status_code == 201
    itself = {**body, "account_id": str(admin.id)}
    refused = await client.post("/api/v1/desk/verifications", headers={**admin_headers, "accept-language": "fr"},
                                json=itself)
    assert refused.status_code == 403 and "autre modérateur" in refused.json()["detail"]
    assert (await client.get("/api/v1/desk/accounts", headers=await bearer(client, moderator.email),
                             params={"q": "ab"})).status_code == 400


async def test_the_desk_pages(client, db_session, city):
    mine, other, moderator = city
    resident = await make_account(db_session, verified=False)
    await browser_login(client, moderator.email)
    home = await client.get("/")
    assert 'href="/desk"' in home.text
    found = await client.get("/desk", params={"q": resident.email})
    assert found.status_code == 200 and f"/desk/accounts/{resident.id}" in found.text
    page = await client.get(f"/desk/accounts/{resident.id}")
    assert page.status_code == 200 and f'value="{mine.slug}"' in page.text and f'value="{other.slug}"' not in page.text
    refused = await post_form(client, f"/desk/accounts/{resident.id}",
                              {"neighbourhood": mine.slug, "birth_date": "1979-07-04"})
    assert refused.status_code == 422 and "identity document in person" in refused.text
    done = await post_form(client, f"/desk/accounts/{resident.id}",
                           {"neighbourhood": mine.slug, "birth_date": "1979-07-04", "id_checked": "on"})
    assert done.status_code in (302, 303)
    shown = await client.get(done.headers["location"])
    assert "Residence recorded" in shown.text and "a moderator at a verification desk" in shown.text
