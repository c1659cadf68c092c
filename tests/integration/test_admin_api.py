"""City administration through the JSON API: each change audited, each refusal a clear 4xx that changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from ballots.models import Ballot
from tests.factories import bearer, make_account, make_neighbourhood, unique
from voting.models import AuditEntry

pytestmark = pytest.mark.anyio

SQUARE = {"type": "Polygon", "coordinates": [[[3.08, 45.77], [3.09, 45.77], [3.09, 45.78], [3.08, 45.77]]]}


@pytest.fixture
async def admin(client, db_session):
    account = await make_account(db_session, "admin")
    return account, await bearer(client, account.email)


async def audit_tail(db_session, n=1):
    rows = (await db_session.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc()).limit(n))).all()
    return list(reversed(rows))


async def audit_count(db_session):
    return len((await db_session.exec(select(AuditEntry.seq))).all())


async def test_create_rename_and_retire_a_neighbourhood(client, db_session, admin):
    account, headers = admin
    slug = unique("quartier")
    created = await client.post("/api/v1/admin/neighbourhoods", headers=headers, json={
        "slug": slug, "name_fr": "Les Côtes", "name_en": "The Slopes", "population": 4200,
        "boundary": SQUARE, "postcodes": ["63100", " 63000 "]})
    assert created.status_code == 201, created.text
    assert created.json()["postcodes"] == ["63100", "63000"]
    entry = (await audit_tail(db_session))[0]
    assert (entry.action, entry.actor, entry.subject) == ("neighbourhood.created", f"account:{account.id}",
                                                          f"neighbourhood:{slug}")
    renamed = await client.patch(f"/api/v1/admin/neighbourhoods/{slug}", headers=headers,
                                 json={"name_en": "The Hillsides"})
    assert renamed.json()["name_en"] == "The Hillsides" and renamed.json()["name_fr"] == "Les Côtes"
    assert (await audit_tail(db_session))[0].data == {"name_en": "The Hillsides"}
    retired = await client.post(f"/api/v1/admin/neighbourhoods/{slug}/retire", headers=headers)
    assert retired.status_code == 200 and retired.json()["retired"] is True
    assert (await audit_tail(db_session))[0].action == "neighbourhood.retired"
    public = await client.get("/api/v1/neighbourhoods")
    assert slug not in [h["slug"] for h in public.json()]


@pytest.mark.parametrize(("body", "status", "reason"), [
    ({"slug": "Bad Slug", "name_fr": "x", "name_en": "x"}, 400, "slug"),
    ({"slug": "ok-slug", "name_fr": "", "name_en": "x"}, 400, "French"),
    ({"slug": "ok-slug", "name_fr": "x", "name_en": "x", "population": -5}, 400, "population"),
    ({"slug": "ok-slug", "name_fr": "x", "name_en": "x", "postcodes": ["<b>"]}, 400, "postcode"),
    ({"slug": "ok-slug", "name_fr": "x", "name_en": "x", "boundary": {"type": "Point", "coordinates": [3, 45]}},
     400, "Polygon"),
    ({"slug": "ok-slug", "name_fr": "x", "name_en": "x",
      "boundary": {"type": "Polygon", "coordinates": [[[3, 45], [4, 45], [4, 46]]]}}, 400, "closed"),
    ({"slug": "ok-slug", "name_fr": "x", "name_en": "x",
      "boundary": {"type": "Polygon", "coordinates": [[[300, 45], [4, 45], [4, 46], [300, 45]]]}}, 400, "closed"),
    ({"name_fr": "x"}, 400, "slug"),
])
async def test_bad_neighbourhoods_are_refused_and_nothing_is_written(client, db_session, admin, body, status, reason):
    _, headers = admin
    before = await audit_count(db_session)
    response = await client.post("/api/v1/admin/neighbourhoods", headers=headers, json=body)
    assert response.status_code == status, response.text
    assert reason in str(response.json())
    assert await audit_count(db_session) == before


async def test_duplicate_slug_is_409(client, db_session, admin):
    _, headers = admin
    hood = await make_neighbourhood(db_session)
    response = await client.post("/api/v1/admin/neighbourhoods", headers=headers,
                                 json={"slug": hood.slug, "name_fr": "a", "name_en": "b"})
    assert response.status_code == 409 and "already exists" in response.json()["detail"]


async def test_retiring_a_neighbourhood_with_an_open_ballot_is_409(client, db_session, admin):
    from datetime import UTC, datetime, timedelta

    _, headers = admin
    hood = await make_neighbourhood(db_session)
    now = datetime.now(UTC)
    db_session.add(Ballot(neighbourhood_id=hood.id, title="Open", budget=1000, status="open",
                          opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1)))
    await db_session.flush()
    response = await client.post(f"/api/v1/admin/neighbourhoods/{hood.slug}/retire", headers=headers)
    assert response.status_code == 409 and "ballot" in response.json()["detail"]
    await db_session.refresh(hood)
    assert hood.retired_at is None


async def test_categories_lifecycle_and_delete_in_use_refused(client, db_session, admin):
    _, headers = admin
    slug = unique("cat")
    created = await client.post("/api/v1/admin/categories", headers=headers,
                                json={"slug": slug, "name_fr": "Mares", "name_en": "Ponds"})
    assert created.status_code == 201
    assert (await client.post("/api/v1/admin/categories", headers=headers,
                              json={"slug": slug, "name_fr": "x", "name_en": "y"})).status_code == 409
    renamed = await client.patch(f"/api/v1/admin/categories/{slug}", headers=headers,
                                 json={"name_fr": "Mares et zones humides", "name_en": "Ponds and wetlands"})
    assert renamed.json()["name_en"] == "Ponds and wetlands"
    assert (await client.delete(f"/api/v1/admin/categories/{slug}", headers=headers)).status_code == 204
    actions = [e.action for e in await audit_tail(db_session, 3)]
    assert actions == ["category.created", "category.renamed", "category.deleted"]


async def test_category_in_use_must_be_retired(client, db_session, admin):
    from voting.proposals.models import Proposal

    account, headers = admin
    hood = await make_neighbourhood(db_session)
    db_session.add(Proposal(title="t", summary="s", category="other", neighbourhood_id=hood.id, estimated_cost=10,
                            proposer_id=account.id))
    await db_session.flush()
    refused = await client.delete("/api/v1/admin/categories/other", headers=headers)
    assert refused.status_code == 409 and "retire it" in refused.json()["detail"]
    retired = await client.post("/api/v1/admin/categories/other/retire", headers=headers)
    assert retired.json()["retired"] is True


async def test_roles_scopes_disable_and_verify(client, db_session, admin):
    account, headers = admin
    citizen = await make_account(db_session, verified=False)
    hood = await make_neighbourhood(db_session)
    citizen_headers = await bearer(client, citizen.email)
    scoped = await client.put(f"/api/v1/admin/accounts/{citizen.id}/neighbourhoods", headers=headers,
                              json={"neighbourhoods": [hood.slug]})
    assert scoped.status_code == 200, scoped.text
    assert scoped.json()["roles"] == ["citizen", "moderator"] and scoped.json()["neighbourhoods"] == [hood.slug]
    me = await client.get("/api/v1/auth/me", headers=citizen_headers)
    assert me.json()["neighbourhoods"] == [hood.id]
    verified = await client.post(f"/api/v1/admin/accounts/{citizen.id}/verify", headers=headers,
                                 json={"how": "identity card checked at the town hall"})
    assert verified.json()["verified"] is True
    revoked = await client.delete(f"/api/v1/admin/accounts/{citizen.id}/roles/moderator", headers=headers)
    assert revoked.json()["roles"] == ["citizen"] and revoked.json()["neighbourhoods"] == []
    disabled = await client.post(f"/api/v1/admin/accounts/{citizen.id}/disable", headers=headers)
    assert disabled.json()["active"] is False
    assert (await client.get("/api/v1/auth/me", headers=citizen_headers)).status_code == 401
    actions = [e.action for e in await audit_tail(db_session, 5)]
    assert actions == ["role.granted", "moderator.scoped", "account.verified", "role.revoked", "account.disabled"]
    assert all(e.actor == f"account:{account.id}" for e in await audit_tail(db_session, 5))
    found = await client.get("/api/v1/admin/accounts", headers=headers, params={"q": citizen.email[:8]})
    assert citizen.email in [a["email"] for a in found.json()]


async def test_last_admin_cannot_be_removed(client, db_session, admin):
    from sqlmodel import delete

    from auth.models import RoleGrant

    account, headers = admin
    # make this the only active admin
    others = (await db_session.exec(select(RoleGrant).where(RoleGrant.role == "admin",
                                                            RoleGrant.account_id != account.id))).all()
    for grant in others:
        await db_session.exec(delete(RoleGrant).where(RoleGrant.account_id == grant.account_id,
                                                      RoleGrant.role == "admin"))
    await db_session.flush()
    own = await client.delete(f"/api/v1/admin/accounts/{account.id}/roles/admin", headers=headers)
    assert own.status_code == 409 and "last administrator" in own.json()["detail"]
    off = await client.post(f"/api/v1/admin/accounts/{account.id}/disable", headers=headers)
    assert off.status_code == 409
    second = await make_account(db_session, "admin")
    assert (await client.delete(f"/api/v1/admin/accounts/{account.id}/roles/admin",
                                headers=headers)).status_code == 200
    assert second.id


async def test_moderators_and_citizens_cannot_administer(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    citizen = await make_account(db_session)
    for account in (moderator, citizen):
        headers = await bearer(client, account.email)
        grant = await client.post(f"/api/v1/admin/accounts/{citizen.id}/roles", headers=headers,
                                  json={"role": "admin"})
        assert grant.status_code == 403
        assert (await client.get("/api/v1/admin/settings", headers=headers)).status_code == 403
    assert (await client.get("/api/v1/admin/settings")).status_code == 401


async def test_settings_apply_without_restart(client, db_session, admin):
    _, headers = admin
    closed = await client.put("/api/v1/admin/settings", headers=headers,
                              json={"self_registration_open": False, "min_voting_age": 18, "city_name": "Riom"})
    assert closed.status_code == 200 and closed.json()["min_voting_age"] == 18
    from tests.factories import post_form

    refused = await post_form(client, "/register", {"email": "late@example.org", "password": "long-enough-pw"})
    assert refused.status_code == 403 and "closed" in refused.text
    bad = await client.put("/api/v1/admin/settings", headers=headers, json={"min_voting_age": 99})
    assert bad.status_code == 400
    assert (await client.get("/api/v1/admin/settings", headers=headers)).json()["min_voting_age"] == 18
    assert (await audit_tail(db_session))[0].action == "settings.updated"


async def test_published_keys_are_public(client):
    keys = (await client.get("/.well-known/greenballot-keys.json")).json()
    assert {"tokens"} <= {key["purpose"] for key in keys}
    assert all("PRIVATE" not in key["public_key"] for key in keys)


async def test_default_language_and_voting_age_come_from_the_settings(client, db_session, admin):
    _, headers = admin
    changed = await client.put("/api/v1/admin/settings", headers=headers,
                               json={"default_language": "en", "min_voting_age": 18})
    assert changed.status_code == 200
    page = await client.get("/", headers={"accept-language": "de"})
    assert 'lang="en"' in page.text
    moderator_hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[moderator_hood.slug])
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    created = await client.post("/api/v1/ballots/", headers=await bearer(client, moderator.email), json={
        "neighbourhood_id": moderator_hood.id, "title": "Age test", "budget": 1000,
        "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=1)).isoformat()})
    assert created.status_code == 201, created.text
    assert created.json()["min_age"] == 18


async def test_city_name_currency_and_time_zone_shape_the_pages(client, db_session, admin):
    _, headers = admin
    changed = await client.put("/api/v1/admin/settings", headers=headers,
                               json={"city_name": "Genève", "currency": "CHF", "time_zone": "America/Montreal"})
    assert changed.status_code == 200 and changed.json()["time_zone"] == "America/Montreal"
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    from datetime import UTC, datetime

    closes = datetime(2031, 7, 1, 12, 0, tzinfo=UTC)  # 08:00 in Montreal (summer time)
    created = await client.post("/api/v1/ballots/", headers=await bearer(client, moderator.email), json={
        "neighbourhood_id": hood.id, "title": "Zone test", "budget": 1500,
        "opens_at": datetime.now(UTC).isoformat(), "closes_at": closes.isoformat()})
    assert created.status_code == 201, created.text
    page = await client.get(f"/ballots/{created.json()['id']}", headers={**headers, "accept-language": "en"})
    assert "Genève" in page.text
    assert "CHF" in page.text and "€" not in page.text
    assert "1 Jul 2031, 08:00 (America/Montreal)" in page.text
    bad = await client.put("/api/v1/admin/settings", headers=headers, json={"time_zone": "Mars/Olympus"})
    assert bad.status_code == 400 and "Mars/Olympus" in bad.text
    assert (await client.get("/api/v1/admin/settings", headers=headers)).json()["time_zone"] == "America/Montreal"
