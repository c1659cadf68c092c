"""Factories with unique random names, and HTTP helpers for logging in and posting forms with CSRF."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from auth.service import create_account
from voting.models import Neighbourhood

PASSWORD = "correct-horse-battery"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def make_neighbourhood(session: AsyncSession, **fields: Any) -> Neighbourhood:
    slug = fields.pop("slug", unique("hood"))
    hood = Neighbourhood(slug=slug, name_fr=fields.pop("name_fr", f"Quartier {slug}"),
                         name_en=fields.pop("name_en", f"District {slug}"), **fields)
    session.add(hood)
    await session.flush()
    return hood


async def make_account(session: AsyncSession, role: str = "citizen", *, neighbourhoods: list[str] | None = None,
                       password: str = PASSWORD, email: str | None = None, verified: bool = True,
                       email_confirmed: bool = True) -> Account:
    return await create_account(session, email=email or f"{unique(role)}@example.org", password=password,
                                display_name=unique(role.title()), roles=[role],
                                neighbourhood_slugs=neighbourhoods or [],
                                verified_how="test" if verified else None, email_confirmed=email_confirmed)


async def bearer(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def csrf_token(client: httpx.AsyncClient, page: str = "/login") -> str:
    if "csrftoken" not in client.cookies:
        await client.get(page)
    return client.cookies["csrftoken"]


async def post_form(client: httpx.AsyncClient, path: str, data: dict[str, str], **kwargs: Any) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(path, data={**data, "_csrf_token": token}, **kwargs)


async def browser_login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    response = await post_form(client, "/login", {"email": email, "password": password, "next": "/"})
    assert response.status_code in (302, 303), response.text
    return response
