"""Every answer of every route (pages, API, static files, errors, redirects) carries the security headers."""

from __future__ import annotations

import dataclasses
import re
import uuid
from typing import Any

import httpx
import pytest
from litestar import get
from litestar.exceptions import TooManyRequestsException

from tests.factories import PASSWORD, bearer, browser_login, make_account
from voting.web.security import CONTENT_SECURITY_POLICY, MAIL_PREVIEW_POLICY

pytestmark = pytest.mark.anyio

PARAMETER = re.compile(r"\{(\w+):(\w+)\}")
SAMPLES = {"int": "1", "str": "x", "uuid": str(uuid.UUID(int=1)), "path": "x", "date": "2026-01-01"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def concrete_paths(app: Any) -> list[tuple[str, str]]:
    """(method, path) for every route of the app, path parameters filled with a sample value."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        path = PARAMETER.sub(lambda m: SAMPLES.get(m.group(2), "x"), route.path)
        if path.startswith("/static"):
            path = "/static/css/greenballot.css"
        for method in getattr(route, "methods", ()):
            if method in METHODS:
                found.add((method, path))
    return sorted(found)


def assert_secure(response: httpx.Response, *, https: bool = False) -> None:
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    headers = response.headers
    expected = MAIL_PREVIEW_POLICY if response.request.url.path.startswith("/dev/mail/") else CONTENT_SECURITY_POLICY
    assert headers.get("content-security-policy") == expected, where
    for directive in ("frame-ancestors 'none'", "script-src 'self'", "object-src 'none'", "base-uri 'none'"):
        assert directive in headers["content-security-policy"], where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "same-origin", where
    if https:
        assert headers.get("strict-transport-security", "").startswith("max-age="), where
    else:
        assert "strict-transport-security" not in headers, where


async def test_every_route_anonymous_and_logged_in(app, client: httpx.AsyncClient, db_session) -> None:  # type: ignore[no-untyped-def]
    routes = concrete_paths(app)
    assert len(routes) > 100  # the enumeration really found the app's routes
    assert ("GET", "/schema/swagger") in routes and ("GET", "/admin/settings") in routes
    statuses: set[int] = set()
    for method, path in routes:
        response = await client.request(method, path)
        assert_secure(response)
        statuses.add(response.status_code)
    admin = await make_account(db_session, "admin")
    await db_session.commit()
    await browser_login(client, admin.email, PASSWORD)
    for method, path in routes:
        response = await client.request(method, path)
        assert_secure(response)
        statuses.add(response.status_code)
        if not path.startswith("/static/"):
            assert response.headers.get("cache-control") == "no-store", f"{method} {path}"
    # the sweep met pages, redirects, the CSRF refusal, the API's 401 and the handlers' 404s
    assert {200, 401, 403, 404} <= statuses and statuses & {302, 303}, statuses


async def test_error_answers(app, client: httpx.AsyncClient, db_session) -> None:  # type: ignore[no-untyped-def]
    citizen = await make_account(db_session)
    await db_session.commit()
    token = await bearer(client, citizen.email)

    @get("/__test/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("boom")

    @get("/__test/slow-down", include_in_schema=False)
    async def slow_down() -> None:
        raise TooManyRequestsException(headers={"Retry-After": "30"})

    app.register(boom)
    app.register(slow_down)
    answers = {
        404: await client.get("/no/such/page"),
        405: await client.delete("/login"),
        422: await client.post("/api/v1/proposals", json={"title": ""}, headers=token),
        400: await client.post("/api/v1/auth/token", json={"email": 3}),
        403: await client.post("/login", data={"email": "a@example.org", "password": "x"}),
        500: await client.get("/__test/boom"),
        429: await client.get("/__test/slow-down"),
        303: await client.get("/lang/fr?next=/proposals"),
        302: await client.get("/admin/settings"),
        401: await client.get("/api/v1/me"),
    }
    for status, response in answers.items():
        if status in (302, 303):
            assert response.status_code in (302, 303, 307), response.text
        elif status == 401:
            assert response.status_code in (401, 404), response.text
        else:
            assert response.status_code == status, (status, response.text)
        assert_secure(response)


async def test_static_files_and_api_docs(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/css/greenballot.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert (await client.get("/static/js/vote-budget.js")).status_code == 200
    assert (await client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")).status_code == 200
    assert (await client.get("/static/vendor/swagger-ui/LICENSE")).status_code == 200
    assert (await client.get("/static/../voting/app.py")).status_code == 404
    docs = await client.get("/schema/swagger")
    assert docs.status_code == 200
    assert_secure(docs)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", docs.text, re.S)
    assert scripts and all(body.strip() == "" and 'src="/static/' in attributes for attributes, body in scripts)
    assert "cdn" not in docs.text and "http" not in docs.text.replace("http-equiv", "")
    assert (await client.get("/schema/openapi.json")).status_code == 200


async def test_no_inline_script_or_style_in_pages(client: httpx.AsyncClient) -> None:
    for path in ("/", "/login", "/register", "/proposals", "/ballots"):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", page.text), path
        assert '<link rel="stylesheet" href="/static/css/greenballot.css">' in page.text


async def test_logged_in_pages_are_not_stored(client: httpx.AsyncClient, db_session) -> None:  # type: ignore[no-untyped-def]
    public = await client.get("/proposals")
    assert public.headers.get("cache-control") != "no-store"
    account = await make_account(db_session)
    await db_session.commit()
    await browser_login(client, account.email, PASSWORD)
    for path in ("/account", "/proposals", "/no/such/page"):
        assert (await client.get(path)).headers.get("cache-control") == "no-store", path


async def _client_for(app: Any, peer: str, base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 4000)), base_url=base_url,
                             headers={"accept-language": "en"})


async def test_https_directly(app) -> None:  # type: ignore[no-untyped-def]
    async with await _client_for(app, "203.0.113.7", "https://testserver") as http:
        response = await http.get("/login")
        assert_secure(response, https=True)
        cookies = response.headers.get_list("set-cookie")
        assert any(c.startswith("csrftoken=") for c in cookies)
        assert all("Secure" in c for c in cookies), cookies
    async with await _client_for(app, "203.0.113.7", "http://testserver") as http:
        response = await http.get("/login")
        assert all("Secure" not in c for c in response.headers.get_list("set-cookie"))


async def test_https_behind_a_trusted_proxy_only(test_settings, session_maker) -> None:  # type: ignore[no-untyped-def]
    from voting.app import create_app

    proxied = create_app(dataclasses.replace(test_settings, trusted_proxies="10.0.0.0/8"), session_maker=session_maker)
    forwarded = {"x-forwarded-proto": "https"}
    async with proxied.lifespan():
        async with await _client_for(proxied, "10.1.2.3", "http://testserver") as http:
            response = await http.get("/login", headers=forwarded)
            assert_secure(response, https=True)
            assert all("Secure" in c for c in response.headers.get_list("set-cookie"))
            assert_secure(await http.get("/login", headers={"x-forwarded-proto": "http"}))
        async with await _client_for(proxied, "203.0.113.7", "http://testserver") as http:
            assert_secure(await http.get("/login", headers=forwarded))  # anyone else's header is not believed
