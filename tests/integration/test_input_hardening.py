"""Hostile input gets a clear 4xx, never a 500: JSON nested too deep, odd upload file names, control characters."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import bearer, make_account

pytestmark = pytest.mark.anyio

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("body", ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000,
                                  '{"email": ' + "[" * 100 + "]" * 100 + ', "password": "x"}'])
async def test_json_nested_too_deep_is_a_400(client: httpx.AsyncClient, db_session, body: str) -> None:  # type: ignore[no-untyped-def]
    account = await make_account(db_session)
    await db_session.commit()
    token = await bearer(client, account.email)
    for path in ("/api/v1/auth/token", "/api/v1/proposals"):
        response = await client.post(path, content=body, headers={**JSON, **token})
        assert response.status_code == 400, (path, response.text)
        assert "nested" in response.json()["detail"]
    french = await client.post("/api/v1/proposals", content=body, headers={**JSON, **token, "accept-language": "fr"})
    assert french.status_code == 400 and "imbriqu" in french.json()["detail"]
