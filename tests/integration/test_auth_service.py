"""Accounts, logins, rate limits and token revocation through the HTTP API on a real PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from auth.models import Throttle
from tests.factories import PASSWORD, bearer, make_account, make_neighbourhood
from voting.models import AuditEntry

pytestmark = pytest.mark.anyio


async def actions(db_session) -> list[str]:
    rows = await db_session.exec(select(AuditEntry.action).order_by(col(AuditEntry.seq)))
    return list(rows.all())


async def test_token_and_me(client, db_session):
    account = await make_account(db_session, "auditor")
    headers = await bearer(client, account.email)
    me = await client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["roles"] == ["auditor"]
    assert "auth.login" in await actions(db_session)


async def test_wrong_password_is_401_recorded_and_says_nothing_more(client, db_session):
    account = await make_account(db_session)
    response = await client.post("/api/v1/auth/token", json={"email": account.email, "password": "nope-nope-nope"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong email or password."
    unknown = await client.post("/api/v1/auth/token", json={"email": "ghost@example.org", "password": "x" * 12})
    assert unknown.json()["detail"] == response.json()["detail"]
    assert (await actions(db_session)).count("auth.login_failed") == 2
    entries = (await db_session.exec(select(AuditEntry).where(AuditEntry.action == "auth.login_failed"))).all()
    assert all("password" not in str(entry.data) for entry in entries)


async def test_rate_limit_per_account_then_429_with_retry_after(client, db_session):
    account = await make_account(db_session)
    for _ in range(5):
        bad = await client.post("/api/v1/auth/token", json={"email": account.email, "password": "wrong-password"})
        assert bad.status_code == 401
    blocked = await client.post("/api/v1/auth/token", json={"email": account.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    pair = await db_session.get(Throttle, f"login-pair:{account.email}|203.0.113.7")
    assert pair is not None and pair.failures == 5


async def test_rate_limit_per_client_address(client, db_session):
    for index in range(20):
        await client.post("/api/v1/auth/token", json={"email": f"nobody{index}@example.org", "password": "x" * 12})
    account = await make_account(db_session)
    blocked = await client.post("/api/v1/auth/token", json={"email": account.email, "password": PASSWORD})
    assert blocked.status_code == 429


async def test_logout_revokes_the_token(client, db_session):
    account = await make_account(db_session)
    headers = await bearer(client, account.email)
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401


async def test_disabled_account_loses_its_session_at_once(client, db_session):
    account = await make_account(db_session)
    headers = await bearer(client, account.email)
    account.is_active = False
    db_session.add(account)
    await db_session.flush()
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401


@pytest.mark.parametrize("token", ["garbage", "a.b.c", ""])
async def test_bad_tokens_are_401(client, token):
    response = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_token_from_another_issuer_key_is_refused(client, db_session):
    import secrets
    import uuid
    from datetime import timedelta

    from auth.tokens import KeyRing, issue_token

    account = await make_account(db_session)
    ring = await _ring(client)
    kid = ring.current_kid
    forged = KeyRing(current_kid=kid, secrets={kid: secrets.token_bytes(32)})
    token, _ = issue_token(forged, account.id, issuer="greenballot", audience="greenballot", ttl=timedelta(hours=1))
    response = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert uuid.UUID(str(account.id))


async def _ring(client):
    return client._transport.app.state.key_ring  # type: ignore[attr-defined]


async def test_create_account_refusals_change_nothing(db_session):
    from auth.service import AccountError, create_account
    from voting.i18n import use_language

    use_language("en")
    hood = await make_neighbourhood(db_session)
    before = len(await actions(db_session))
    cases = [
        dict(email="not-an-email", password=PASSWORD, display_name="x", roles=["citizen"]),
        dict(email="a@example.org", password="short", display_name="x", roles=["citizen"]),
        dict(email="b@example.org", password=PASSWORD, display_name="x", roles=["mayor"]),
        dict(email="c@example.org", password=PASSWORD, display_name="x", roles=["moderator"]),
        dict(email="d@example.org", password=PASSWORD, display_name="x", roles=["moderator"],
             neighbourhood_slugs=["no-such-place"]),
        dict(email="e@example.org", password=PASSWORD, display_name="x", roles=["citizen"],
             neighbourhood_slugs=[hood.slug]),
    ]
    for case in cases:
        with pytest.raises(AccountError):
            await create_account(db_session, **case)
    assert len(await actions(db_session)) == before
    await make_account(db_session, email="dup@example.org")
    with pytest.raises(AccountError, match="already exists"):
        await make_account(db_session, email="DUP@example.org")


async def test_a_password_hashed_with_other_parameters_is_hashed_again_at_login(client, db_session):
    from argon2 import PasswordHasher

    from auth.passwords import needs_rehash, verify_password

    account = await make_account(db_session, "citizen")
    old = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(PASSWORD)  # not this process's
    account.password_hash = old
    db_session.add(account)
    await db_session.flush()
    assert needs_rehash(old)
    answer = await client.post("/api/v1/auth/token", json={"email": account.email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    await db_session.refresh(account)
    assert account.password_hash != old and not needs_rehash(account.password_hash)
    assert verify_password(account.password_hash, PASSWORD)
    again = await client.post("/api/v1/auth/token", json={"email": account.email, "password": PASSWORD})
    assert again.status_code == 200
