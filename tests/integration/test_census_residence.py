"""A resident verifies their own residence with a document id: matched against the census, never stored in
clear, throttled, and a failure tells nothing of what the census holds."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from auth.census.service import import_census
from tests.factories import bearer, browser_login, make_account, make_neighbourhood, post_form
from voting.models import AuditEntry

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def instance_secret():
    """The test app's secret (tests/conftest.py), also for services called without an app."""
    from auth.census.key import use_instance_secret

    use_instance_secret("test-secret")

DOCUMENT = "CL 42-7781"


@pytest.fixture
async def hood(db_session):
    hood = await make_neighbourhood(db_session)
    await import_census(db_session, "document_id,birth_date,neighbourhood\n"
                                    f"{DOCUMENT},12/03/1988,{hood.slug}\n", actor="test")
    return hood


async def test_a_resident_verifies_with_a_document_id(client, db_session, hood):
    resident = await make_account(db_session, verified=False)
    headers = await bearer(client, resident.email)
    before = await client.get("/api/v1/account/residence", headers=headers)
    assert before.json()["verified"] is False and before.json()["tries_left"] == 5
    done = await client.post("/api/v1/account/residence", headers=headers,
                             json={"document_id": "cl427781", "birth_date": "1988-03-12"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["verified"], body["verified_how"], body["neighbourhood"], body["birth_date"]) == (
        True, "census", hood.slug, "1988-03-12")
    await db_session.refresh(resident)
    assert resident.verified_how == "census" and resident.birth_date == date(1988, 3, 12)
    stored = (await db_session.exec(text("SELECT string_agg(t::text, ' ') FROM (SELECT * FROM census_claim UNION ALL "  # type: ignore[call-overload]
                                         "SELECT key_hash, account_id, claimed_at FROM census_claim) t"))).one()[0]
    assert "CL427781" not in stored.upper()
    again = await client.post("/api/v1/account/residence", headers=headers,
                              json={"document_id": DOCUMENT, "birth_date": "1988-03-12"})
    assert again.status_code == 409
    other = await make_account(db_session, verified=False)
    taken = await client.post("/api/v1/account/residence", headers=await bearer(client, other.email),
                              json={"document_id": DOCUMENT, "birth_date": "1988-03-12"})
    assert taken.status_code == 400 and "another account" in taken.json()["detail"]


async def test_a_failure_reveals_nothing_and_five_an_hour_are_allowed(client, db_session, hood):
    resident = await make_account(db_session, verified=False)
    headers = await bearer(client, resident.email)
    wrong_date = await client.post("/api/v1/account/residence", headers=headers,
                                   json={"document_id": DOCUMENT, "birth_date": "1988-03-13"})
    unknown = await client.post("/api/v1/account/residence", headers=headers,
                                json={"document_id": "ZZ000111", "birth_date": "1988-03-12"})
    assert wrong_date.status_code == unknown.status_code == 400
    assert wrong_date.json()["detail"].replace("4 tries", "N tries") == unknown.json()["detail"].replace(
        "3 tries", "N tries")
    assert "do not match the census" in unknown.json()["detail"]
    french = await client.post("/api/v1/account/residence", headers={**headers, "accept-language": "fr"},
                               json={"document_id": "ZZ000111", "birth_date": "1988-03-12"})
    assert "ne correspondent pas au recensement" in french.json()["detail"]
    for _ in range(2):
        await client.post("/api/v1/account/residence", headers=headers,
                          json={"document_id": "ZZ000111", "birth_date": "1988-03-12"})
    blocked = await client.post("/api/v1/account/residence", headers=headers,
                                json={"document_id": DOCUMENT, "birth_date": "1988-03-12"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 3000
    await db_session.refresh(resident)
    assert resident.verified_at is None
    failed = (await db_session.exec(select(AuditEntry).where(
        AuditEntry.action == "census.self_check_failed", AuditEntry.subject == f"account:{resident.id}"))).all()
    assert len(failed) == 5 and all(e.data == {"reason": "no_match"} for e in failed)
    assert all("ZZ000111" not in str(e.data) and "1988" not in str(e.data) for e in failed)


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"document_id": "x", "birth_date": "1988-03-12"}, 422, "4 to 40 letters"),
    ({"document_id": DOCUMENT, "birth_date": "12.03.1988"}, 422, "YYYY-MM-DD"),
    ({"document_id": DOCUMENT}, 400, "birth_date"),
])
async def test_bad_input_is_a_clear_4xx_that_costs_no_try(client, db_session, hood, body, status, words):
    resident = await make_account(db_session, verified=False)
    headers = await bearer(client, resident.email)
    refused = await client.post("/api/v1/account/residence", headers=headers, json=body)
    assert refused.status_code == status and words in refused.text
    assert (await client.get("/api/v1/account/residence", headers=headers)).json()["tries_left"] == 5


async def test_an_unconfirmed_address_must_be_confirmed_first(client, db_session, hood):
    resident = await make_account(db_session, verified=False, email_confirmed=False)
    refused = await client.post("/api/v1/account/residence", headers=await bearer(client, resident.email),
                                json={"document_id": DOCUMENT, "birth_date": "1988-03-12"})
    assert refused.status_code == 403 and "Confirm your email" in refused.json()["detail"]
    assert (await client.post("/api/v1/account/residence", json={"document_id": DOCUMENT,
                                                                  "birth_date": "1988-03-12"})).status_code == 401


async def test_the_residence_page(client, db_session, hood):
    resident = await make_account(db_session, verified=False)
    await browser_login(client, resident.email)
    page = await client.get("/account/residence")
    assert page.status_code == 200 and "declared, not verified" in page.text and 'name="document_id"' in page.text
    wrong = await post_form(client, "/account/residence", {"document_id": "ZZ000111", "birth_date": "1988-03-12"})
    assert wrong.status_code == 400 and "do not match the census" in wrong.text and "4 tries left" in wrong.text
    done = await post_form(client, "/account/residence", {"document_id": DOCUMENT, "birth_date": "1988-03-12"})
    assert done.status_code in (302, 303)
    shown = await client.get(done.headers["location"])
    assert "your account is verified" in shown.text and hood.name_en in shown.text
    assert "verified by the city's census" in shown.text and 'name="document_id"' not in shown.text
    kept = (await db_session.exec(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "census.self_check_failed", col(AuditEntry.subject) == f"account:{resident.id}"))).one()
    assert kept == 1  # the failed try stayed recorded although the page answered normally


async def test_registration_with_a_document_verifies_at_confirmation(client, db_session, hood):
    import re

    from auth.census.models import CensusPending
    from auth.models import Account
    from tests.factories import PASSWORD, unique
    from voting.mail.models import OutboxMessage

    email = f"{unique('neo')}@example.org"
    created = await client.post("/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": "Néo Résident", "neighbourhood": hood.slug,
        "birth_date": "1988-03-12", "document_id": "cl-427781"})
    assert created.status_code == 201, created.text
    account = (await db_session.exec(select(Account).where(Account.email == email))).one()
    assert account.verified_at is None
    pending = await db_session.get(CensusPending, account.id)
    assert pending is not None and "427781" not in pending.document_hash
    mail = (await db_session.exec(select(OutboxMessage).where(OutboxMessage.to_address == email))).one()
    token = re.search(r"/account/confirm\?token=([A-Za-z0-9_-]+)", mail.body_text).group(1)
    assert (await client.post("/api/v1/auth/confirm", json={"token": token})).status_code == 200
    await db_session.refresh(account)
    assert account.verified_how == "census" and account.neighbourhood_id == hood.id
    left = select(func.count()).select_from(CensusPending).where(CensusPending.account_id == account.id)
    assert (await db_session.exec(left)).one() == 0


async def test_confirmation_verifies_an_address_on_the_census(client, db_session, hood):
    import re

    from auth.models import Account
    from tests.factories import PASSWORD, unique
    from voting.mail.models import OutboxMessage

    email = f"{unique('ida')}@example.org"
    await import_census(db_session, f"email,birth_date,neighbourhood\n{email},1970-01-02,{hood.slug}\n",
                        actor="test")
    created = await client.post("/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": "Ida", "neighbourhood": hood.slug,
        "birth_date": "1971-01-01"})
    assert created.status_code == 201, created.text
    account = (await db_session.exec(select(Account).where(Account.email == email))).one()
    assert account.verified_at is None  # not before the address is confirmed
    mail = (await db_session.exec(select(OutboxMessage).where(OutboxMessage.to_address == email))).one()
    token = re.search(r"/account/confirm\?token=([A-Za-z0-9_-]+)", mail.body_text).group(1)
    assert (await client.post("/api/v1/auth/confirm", json={"token": token})).status_code == 200
    await db_session.refresh(account)
    assert account.verified_how == "census" and str(account.birth_date) == "1970-01-02"


async def test_the_demo_document_verifies_a_new_account(db_session):
    from auth.census.demo_seed import DEMO_DOCUMENT, DEMO_DOCUMENT_BIRTH_DATE
    from auth.census.residence import check_residence
    from voting.demo import seed_demo

    summary = await seed_demo(db_session)
    assert DEMO_DOCUMENT in summary
    newcomer = await make_account(db_session, verified=False)
    residence = await check_residence(db_session, newcomer.id, document_id=DEMO_DOCUMENT,
                                      birth_date=DEMO_DOCUMENT_BIRTH_DATE.strftime("%d/%m/%Y"))
    assert residence.verified and residence.neighbourhood is not None
    assert residence.neighbourhood.slug == "centre-jaude"  # the demo's open ballot: the newcomer can vote on it
