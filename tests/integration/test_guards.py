"""Guards answer in the caller's language: 401 for nobody logged in, 403 naming the role that is missing."""

from __future__ import annotations

import pytest

from tests.factories import bearer, make_account

pytestmark = pytest.mark.anyio


async def test_nobody_logged_in_is_told_to_log_in(client):
    response = await client.get("/api/v1/auth/me")
    assert (response.status_code, response.json()["detail"]) == (401, "Log in first.")
    french = await client.get("/api/v1/auth/me", headers={"accept-language": "fr"})
    assert french.json()["detail"] == "Connectez-vous d’abord."


async def test_a_missing_role_is_named(client, db_session):
    citizen = await make_account(db_session, "citizen")
    headers = await bearer(client, citizen.email)
    admin_only = await client.get("/api/v1/admin/settings", headers=headers)
    assert (admin_only.status_code, admin_only.json()["detail"]) == (403, "This needs the role administrator (admin).")
    moderators = await client.post("/api/v1/ballots", headers={**headers, "accept-language": "fr"}, json={})
    assert (moderators.status_code, moderators.json()["detail"]) == (
        403, "Il faut l’un des rôles administrateur (admin), modérateur (moderator).")
