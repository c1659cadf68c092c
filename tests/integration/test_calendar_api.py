"""The calendar API: read what applies to a neighbourhood, set a scope's phases (admins, moderators), audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.factories import bearer, make_account, make_neighbourhood
from tests.proposal_factories import audit_of

pytestmark = pytest.mark.anyio
EN = {"accept-language": "en"}
NOW = datetime.now(UTC).replace(microsecond=0)


def iso(days: float) -> str:
    return (NOW + timedelta(days=days)).isoformat()


CITY = [{"phase": "proposals", "starts_at": iso(-30), "ends_at": iso(-20)},
        {"phase": "supports", "starts_at": iso(-20), "ends_at": iso(-10)},
        {"phase": "vote", "starts_at": iso(-1), "ends_at": iso(10)}]


@pytest.fixture
async def people(db_session):
    hood, other = await make_neighbourhood(db_session), await make_neighbourhood(db_session)
    admin = await make_account(db_session, "admin")
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    citizen = await make_account(db_session)
    return {"hood": hood, "other": other, "admin": admin, "moderator": moderator, "citizen": citizen}


async def auth(client, account):
    return {**EN, **await bearer(client, account.email)}


async def test_no_calendar_leaves_supports_open(client, people):
    answer = await client.get("/api/v1/calendar", params={"neighbourhood_id": people["hood"].id})
    assert answer.status_code == 200
    assert answer.json() == {"neighbourhood_id": people["hood"].id, "current_phase": None, "supports_open": True,
                             "phases": []}


async def test_the_city_sets_its_calendar_and_a_neighbourhood_overrides_one_phase(client, db_session, people):
    hood = people["hood"]
    city = await client.put("/api/v1/admin/calendar", json={"phases": CITY},
                            headers=await auth(client, people["admin"]))
    assert city.status_code == 200, city.text
    assert city.json()["current_phase"] == "vote" and city.json()["supports_open"] is False
    assert [(p["phase"], p["state"]) for p in city.json()["phases"]] == [("proposals", "past"), ("supports", "past"),
                                                                         ("vote", "current")]
    own = [{"phase": "supports", "starts_at": iso(-2), "ends_at": iso(2)}]
    mine = await client.put("/api/v1/admin/calendar", json={"neighbourhood_id": hood.id, "phases": own},
                            headers=await auth(client, people["moderator"]))
    assert mine.status_code == 200, mine.text
    body = (await client.get("/api/v1/calendar", params={"neighbourhood_id": hood.id}, headers=EN)).json()
    assert body["supports_open"] is True and body["current_phase"] == "vote"
    assert [(p["phase"], p["neighbourhood_id"], p["label"]) for p in body["phases"]] == [
        ("proposals", None, "Proposals"), ("supports", hood.id, "Supports"), ("vote", None, "Voting")]
    other = (await client.get("/api/v1/calendar", params={"neighbourhood_id": people["other"].id})).json()
    assert other["supports_open"] is False
    entries = await audit_of(db_session, f"calendar:{hood.id}")
    assert [e.action for e in entries] == ["calendar.set"]
    assert entries[0].data["phases"][0]["phase"] == "supports"
    assert [e.action for e in await audit_of(db_session, "calendar:city")] == ["calendar.set"]
    # Setting a scope again replaces it; an empty list clears it.
    cleared = await client.put("/api/v1/admin/calendar", json={"neighbourhood_id": hood.id, "phases": []},
                               headers=await auth(client, people["moderator"]))
    assert cleared.json()["supports_open"] is False


async def test_moments_without_a_zone_are_the_citys_local_time(client, people):
    body = {"phases": [{"phase": "review", "starts_at": "2031-03-01T09:00", "ends_at": "2031-03-10T18:00"}]}
    answer = await client.put("/api/v1/admin/calendar", json=body, headers=await auth(client, people["admin"]))
    assert answer.status_code == 200, answer.text
    assert answer.json()["phases"][0]["starts_at"].startswith("2031-03-01T08:00:00")  # Paris is UTC+1 in March


@pytest.mark.parametrize(("who", "scope", "status"), [
    ("citizen", None, 403), ("moderator", None, 403), ("moderator", "other", 403), (None, None, 401),
])
async def test_who_may_set_which_calendar(client, db_session, people, who, scope, status):
    headers = await auth(client, people[who]) if who else EN
    body = {"neighbourhood_id": people[scope].id if scope else None, "phases": CITY}
    before = await audit_of(db_session, "calendar:city")
    answer = await client.put("/api/v1/admin/calendar", json=body, headers=headers)
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]
    assert (await client.get("/api/v1/calendar")).json()["phases"] == []
    assert await audit_of(db_session, "calendar:city") == before


@pytest.mark.parametrize(("phases", "status", "words"), [
    ([{"phase": "vote", "starts_at": iso(2), "ends_at": iso(1)}], 422, "must end after it starts"),
    ([{"phase": "lottery", "starts_at": iso(1), "ends_at": iso(2)}], 422, "Unknown phase lottery"),
    ([CITY[0], CITY[0]], 422, "appears twice"),
    ([{"phase": "vote", "starts_at": "tomorrow", "ends_at": iso(2)}], 400, ""),
])
async def test_bad_calendars_are_refused_and_store_nothing(client, people, phases, status, words):
    answer = await client.put("/api/v1/admin/calendar", json={"phases": phases},
                              headers=await auth(client, people["admin"]))
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]
    assert (await client.get("/api/v1/calendar")).json()["phases"] == []


async def test_refusals_in_french_and_unknown_neighbourhood(client, people):
    headers = {**await bearer(client, people["admin"].email), "accept-language": "fr"}
    answer = await client.put("/api/v1/admin/calendar", headers=headers,
                              json={"phases": [{"phase": "vote", "starts_at": iso(2), "ends_at": iso(1)}]})
    assert answer.json()["detail"] == "La phase Vote doit finir après avoir commencé."
    missing = await client.put("/api/v1/admin/calendar", headers=headers,
                               json={"neighbourhood_id": 2_000_000_000, "phases": []})
    assert missing.status_code == 404


async def test_the_database_keeps_one_row_per_scope_and_phase(db_session, people):
    insert = text("INSERT INTO process_phase (neighbourhood_id, phase, starts_at, ends_at) "
                  "VALUES (:hood, 'vote', now(), now() + interval '1 day')")
    for hood in (None, people["hood"].id):
        await db_session.exec(insert.bindparams(hood=hood))
        with pytest.raises(IntegrityError):
            async with db_session.begin_nested():
                await db_session.exec(insert.bindparams(hood=hood))
    for bad in ("INSERT INTO process_phase (phase, starts_at, ends_at) "
                "VALUES ('lottery', now(), now() + interval '1 day')",
                "INSERT INTO process_phase (phase, starts_at, ends_at) VALUES ('review', now(), now())"):
        with pytest.raises(IntegrityError):
            async with db_session.begin_nested():
                await db_session.exec(text(bad))


async def test_managers_list_every_stored_calendar(client, people):
    await client.put("/api/v1/admin/calendar", json={"phases": CITY}, headers=await auth(client, people["admin"]))
    own = [{"phase": "supports", "starts_at": iso(-2), "ends_at": iso(2)}]
    await client.put("/api/v1/admin/calendar", json={"neighbourhood_id": people["hood"].id, "phases": own},
                     headers=await auth(client, people["moderator"]))
    listed = await client.get("/api/v1/admin/calendar", headers=await auth(client, people["moderator"]))
    assert [(p["neighbourhood_id"], p["phase"], p["state"]) for p in listed.json()] == [
        (None, "proposals", "past"), (None, "supports", "past"), (None, "vote", "current"),
        (people["hood"].id, "supports", "current")]
    citizen = await auth(client, people["citizen"])
    assert (await client.get("/api/v1/admin/calendar", headers=citizen)).status_code == 403
