"""Password reset by mail end to end, and password change: single-use, short-lived, old sessions end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from auth.models import AccountToken
from auth.rules import token_hash
from tests.factories import PASSWORD, bearer, browser_login, make_account, post_form
from tests.integration.test_accounts_registration import mails_to, token_in
from voting.models import AuditEntry

pytestmark = pytest.mark.anyio
NEW = "a-brand-new-password"


async def test_reset_by_mail_end_to_end(client, db_session):
    account = await make_account(db_session)
    old_session = await bearer(client, account.email)
    asked = await client.post("/api/v1/auth/password-reset", json={"email": account.email.upper()})
    unknown = await client.post("/api/v1/auth/password-reset", json={"email": "nobody.here@example.org"})
    assert asked.status_code == unknown.status_code == 202
    assert asked.json()["detail"] == unknown.json()["detail"]
    assert await mails_to(db_session, "nobody.here@example.org") == []
    [mail] = await mails_to(db_session, account.email)
    assert mail.kind == "reset_password"
    token = token_in(mail, "/password-reset/new")
    stored = await db_session.get(AccountToken, token_hash(token))
    assert stored is not None and stored.expires_at - stored.created_at == timedelta(hours=1)

    weak = await client.post("/api/v1/auth/password-reset/complete", json={"token": token, "new_password": "short"})
    assert weak.status_code == 400 and weak.json()["extra"] == {"field": "new_password"}  # the link still works
    done = await client.post("/api/v1/auth/password-reset/complete", json={"token": token, "new_password": NEW})
    assert done.status_code == 204, done.text
    assert (await client.post("/api/v1/auth/password-reset/complete",
                              json={"token": token, "new_password": NEW + "2"})).status_code == 400  # single use
    assert (await client.get("/api/v1/auth/me", headers=old_session)).status_code == 401  # old sessions ended
    assert (await client.post("/api/v1/auth/token", json={"email": account.email, "password": PASSWORD})
            ).status_code == 401
    assert await bearer(client, account.email, NEW)
    actions = (await db_session.exec(select(AuditEntry.action).where(
        AuditEntry.subject == f"account:{account.id}"))).all()
    assert "account.password_reset_requested" in actions and "account.password_reset" in actions


async def test_an_expired_or_superseded_reset_link_is_refused(client, db_session):
    account = await make_account(db_session)
    await client.post("/api/v1/auth/password-reset", json={"email": account.email})
    [first] = await mails_to(db_session, account.email)
    await db_session.exec(update(AccountToken).where(col(AccountToken.account_id) == account.id)  # type: ignore[call-overload]
                          .values(created_at=datetime.now(UTC) - timedelta(hours=2),
                                  expires_at=datetime.now(UTC) - timedelta(hours=1)))
    expired = await client.post("/api/v1/auth/password-reset/complete",
                                json={"token": token_in(first, "/password-reset/new"), "new_password": NEW},
                                headers={"accept-language": "fr"})
    assert expired.status_code == 400 and "expiré" in expired.json()["detail"]
    await client.post("/api/v1/auth/password-reset", json={"email": account.email})
    await client.post("/api/v1/auth/password-reset", json={"email": account.email})
    _, second, third = await mails_to(db_session, account.email)
    refused = await client.post("/api/v1/auth/password-reset/complete",
                                json={"token": token_in(second, "/password-reset/new"), "new_password": NEW})
    assert refused.status_code == 400  # a newer link replaced it
    assert (await client.post("/api/v1/auth/password-reset/complete",
                              json={"token": token_in(third, "/password-reset/new"), "new_password": NEW})
            ).status_code == 204


async def test_reset_pages(client, db_session):
    account = await make_account(db_session)
    asked = await post_form(client, "/password-reset", {"email": account.email})
    other = await post_form(client, "/password-reset", {"email": "ghost@example.org"})
    assert asked.status_code == other.status_code == 200
    assert asked.text.replace(account.email, "X") == other.text.replace("ghost@example.org", "X")
    [mail] = await mails_to(db_session, account.email)
    link = token_in(mail, "/password-reset/new")
    form = await client.get(f"/password-reset/new?token={link}")
    assert f'value="{link}"' in form.text
    done = await post_form(client, "/password-reset/new", {"token": link, "new_password": NEW})
    assert done.status_code in (302, 303) and done.headers["location"] == "/account?done=password"
    assert (await post_form(client, "/password-reset/new", {"token": link, "new_password": NEW})).status_code == 400


async def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(client, db_session):
    account = await make_account(db_session)
    other_device = await bearer(client, account.email)
    this_device = await bearer(client, account.email)
    wrong = await client.post("/api/v1/account/password", headers=this_device,
                              json={"current_password": "not-my-password", "new_password": NEW})
    assert wrong.status_code == 400 and wrong.json()["extra"] == {"field": "current_password"}
    changed = await client.post("/api/v1/account/password", headers=this_device,
                                json={"current_password": PASSWORD, "new_password": NEW})
    assert changed.status_code == 200, changed.text
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert (await client.get("/api/v1/account", headers=fresh)).status_code == 200
    assert (await client.get("/api/v1/auth/me", headers=other_device)).status_code == 401
    assert await bearer(client, account.email, NEW)


async def test_changing_the_password_from_the_page_keeps_this_browser_logged_in(client, db_session):
    account = await make_account(db_session)
    await browser_login(client, account.email)
    page = await client.get("/account")
    assert page.status_code == 200 and account.email in page.text
    changed = await post_form(client, "/account/password", {"current_password": PASSWORD, "new_password": NEW})
    assert changed.status_code in (302, 303)
    after = await client.get(changed.headers["location"])
    assert after.status_code == 200 and "other devices are logged out" in after.text


async def test_guessing_the_current_password_from_a_stolen_session_is_throttled(client, db_session):
    account = await make_account(db_session)
    headers = await bearer(client, account.email)
    for n in range(5):
        wrong = await client.post("/api/v1/account/password", headers=headers,
                                  json={"current_password": f"guess-{n}-guess", "new_password": NEW})
        assert wrong.status_code == 400
    blocked = await client.request("DELETE", "/api/v1/account", headers=headers, json={"password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    await db_session.refresh(account)
    assert account.deleted_at is None
