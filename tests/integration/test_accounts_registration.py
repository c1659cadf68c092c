"""Registration (API and form) → confirmation mail in the outbox → confirmed; no user enumeration."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select

from auth.models import Account
from tests.factories import PASSWORD, bearer, make_account, make_neighbourhood, post_form, unique
from voting.mail.models import OutboxMessage
from voting.models import AuditEntry

pytestmark = pytest.mark.anyio


async def mails_to(db_session, email: str) -> list[OutboxMessage]:
    rows = await db_session.exec(select(OutboxMessage).where(OutboxMessage.to_address == email)
                                 .order_by(col(OutboxMessage.id)))
    return list(rows.all())


def token_in(message: OutboxMessage, path: str) -> str:
    found = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_-]+)", message.body_text)
    assert found, message.body_text
    return found.group(1)


def body(hood_slug: str, email: str, **changes: object) -> dict[str, object]:
    return {"email": email, "password": PASSWORD, "display_name": "Rosa Résidente", "neighbourhood": hood_slug,
            "birth_date": "1990-04-01", **changes}


async def test_api_registration_mails_a_link_that_confirms_the_address(client, db_session):
    hood = await make_neighbourhood(db_session)
    email = f"{unique('rosa')}@example.org"
    created = await client.post("/api/v1/auth/register", json=body(hood.slug, email.upper()))
    assert created.status_code == 201, created.text
    assert created.json()["email"] == email and "id" not in created.json()
    account = (await db_session.exec(select(Account).where(Account.email == email))).one()
    assert account.neighbourhood_id == hood.id and str(account.birth_date) == "1990-04-01"
    assert account.verified_at is None and account.email_confirmed_at is None and account.language == "en"
    headers = await bearer(client, email)
    assert (await client.get("/api/v1/auth/me", headers=headers)).json()["email_confirmed"] is False

    [mail] = await mails_to(db_session, email)
    assert mail.kind == "confirm_email" and mail.account_id == account.id
    token = token_in(mail, "/account/confirm")
    stored = (await db_session.exec(select(AuditEntry).where(AuditEntry.subject == f"account:{account.id}"))).all()
    assert token not in str([entry.data for entry in stored])
    assert email not in str([entry.data for entry in stored])  # the audit log outlives a deletion

    confirmed = await client.post("/api/v1/auth/confirm", json={"token": token})
    assert confirmed.status_code == 200 and confirmed.json()["email_confirmed"] is True
    assert (await client.get("/api/v1/auth/me", headers=headers)).json()["email_confirmed"] is True
    again = await client.post("/api/v1/auth/confirm", json={"token": token})
    assert again.status_code == 400 and "already used" in again.json()["detail"]
    actions = [e.action for e in (await db_session.exec(select(AuditEntry).where(
        AuditEntry.subject == f"account:{account.id}").order_by(col(AuditEntry.seq)))).all()]
    assert "account.created" in actions and "account.email_confirmed" in actions


async def test_form_registration_by_postcode_then_confirmation_page(client, db_session):
    postcode = f"6{unique('')[-4:]}".upper()[:5]
    hood = await make_neighbourhood(db_session, postcodes=[postcode])
    email = f"{unique('form')}@example.org"
    page = await client.get("/register")
    assert 'href="/privacy"' in page.text and hood.slug in page.text
    response = await post_form(client, "/register", {"email": email, "password": PASSWORD, "display_name": "Léo",
                                                     "postcode": postcode.lower(), "birth_date": "2001-12-24",
                                                     "consent": "yes"})
    assert response.status_code == 200 and "Check your mailbox" in response.text, response.text
    account = (await db_session.exec(select(Account).where(Account.email == email))).one()
    assert account.neighbourhood_id == hood.id
    [mail] = await mails_to(db_session, email)
    shown = await client.get(f"/account/confirm?token={token_in(mail, '/account/confirm')}")
    assert shown.status_code == 200 and 'data-testid="email-confirmed"' in shown.text
    await db_session.refresh(account)
    assert account.email_confirmed_at is not None
    assert (await client.get("/account/confirm?token=forged")).status_code == 400


async def test_form_keeps_what_was_typed_and_puts_the_message_beside_the_field(client, db_session):
    hood = await make_neighbourhood(db_session)
    typed = {"email": "keep.me@example.org", "password": PASSWORD, "display_name": "Anaïs Typed",
             "neighbourhood": hood.slug, "birth_date": "2999-01-01", "consent": "yes"}
    response = await post_form(client, "/register", typed)
    assert response.status_code == 400
    assert 'id="birth_date-error"' in response.text and "cannot be in the future" in response.text
    assert 'value="keep.me@example.org"' in response.text and 'value="Anaïs Typed"' in response.text
    assert f'value="{hood.slug}" selected' in response.text and 'value="2999-01-01"' in response.text
    no_consent = await post_form(client, "/register", {**typed, "birth_date": "1999-01-01", "consent": ""})
    assert no_consent.status_code == 400 and 'id="consent-error"' in no_consent.text
    french = await post_form(client, "/register", {**typed, "postcode": "00000", "neighbourhood": ""},
                             headers={"accept-language": "fr"})
    assert french.status_code == 400 and "code postal" in french.text
    assert not (await db_session.exec(select(Account).where(Account.email == "keep.me@example.org"))).all()


@pytest.mark.parametrize(("changes", "field"), [
    ({"email": "nope"}, "email"), ({"password": "short"}, "password"), ({"neighbourhood": "nowhere"}, "neighbourhood"),
    ({"neighbourhood": None, "postcode": None}, "neighbourhood"), ({"birth_date": "1800-01-01"}, "birth_date"),
    ({"display_name": "   "}, "display_name"),
])
async def test_api_refusals_name_the_field(client, db_session, changes, field):
    hood = await make_neighbourhood(db_session)
    refused = await client.post("/api/v1/auth/register",
                                json={**body(hood.slug, f"{unique('x')}@example.org"), **changes})
    assert refused.status_code == 400, refused.text
    assert refused.json()["extra"] == {"field": field}


async def test_an_address_already_registered_gets_the_same_answer_and_its_owner_a_mail(client, db_session):
    hood = await make_neighbourhood(db_session)
    owner = await make_account(db_session)
    answer = await client.post("/api/v1/auth/register", json=body(hood.slug, owner.email, password="another-pass-1"))
    fresh = await client.post("/api/v1/auth/register", json=body(hood.slug, f"{unique('new')}@example.org"))
    assert answer.status_code == fresh.status_code == 201
    assert answer.json()["detail"] == fresh.json()["detail"] and set(answer.json()) == set(fresh.json())
    [mail] = await mails_to(db_session, owner.email)
    assert mail.kind == "reset_password"  # confirmed owner: a way back in, if it was them
    assert (await client.post("/api/v1/auth/token", json={"email": owner.email, "password": "another-pass-1"})
            ).status_code == 401
    assert (await bearer(client, owner.email))  # the owner's password is untouched


async def test_registration_follows_the_city_setting(client, db_session):
    from voting.admin.settings import update_city_settings

    hood = await make_neighbourhood(db_session)
    await update_city_settings(db_session, actor="test", actor_id=None,
                               changes={"self_registration_open": False})
    refused = await client.post("/api/v1/auth/register", json=body(hood.slug, f"{unique('late')}@example.org"),
                                headers={"accept-language": "fr"})
    assert refused.status_code == 403 and "inscriptions" in refused.json()["detail"].lower()


async def test_registration_is_throttled_per_client(client, db_session):
    hood = await make_neighbourhood(db_session)
    statuses = [(await client.post("/api/v1/auth/register", json=body(hood.slug, f"{unique('b')}@example.org"))
                 ).status_code for _ in range(11)]
    assert statuses[:10] == [201] * 10 and statuses[10] == 429


async def test_resend_confirmation_from_the_account(client, db_session):
    account = await make_account(db_session, email_confirmed=False)
    headers = await bearer(client, account.email)
    assert (await client.post("/api/v1/account/confirmation", headers=headers)).status_code == 202
    [mail] = await mails_to(db_session, account.email)
    assert (await client.post("/api/v1/auth/confirm", json={"token": token_in(mail, "/account/confirm")})
            ).status_code == 200
    assert (await client.post("/api/v1/account/confirmation", headers=headers)).status_code == 409
