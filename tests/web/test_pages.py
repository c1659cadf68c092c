"""HTTP behaviour of the shell's pages and API: languages, forms with CSRF, cookies, clean errors."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, browser_login, make_account, make_neighbourhood, post_form

pytestmark = pytest.mark.anyio


async def test_home_lists_neighbourhoods_in_the_negotiated_language(client, db_session):
    hood = await make_neighbourhood(db_session, name_fr="Les Salins", name_en="Salt Flats")
    french = await client.get("/", headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert 'lang="fr"' in french.text and "Les Salins" in french.text and "Quartiers" in french.text
    english = await client.get("/", headers={"accept-language": "en-GB"})
    assert 'lang="en"' in english.text and "Salt Flats" in english.text and hood.slug


async def test_language_switch_sets_a_cookie_and_refuses_open_redirects(client):
    switched = await client.get("/lang/en?next=/login")
    assert switched.status_code in (301, 302, 303, 307) and switched.headers["location"] == "/login"
    assert "lang=en" in switched.headers["set-cookie"]
    page = await client.get("/login", headers={"accept-language": "fr"})
    assert 'lang="en"' in page.text
    evil = await client.get("/lang/fr?next=//evil.example/")
    assert evil.headers["location"] == "/"


async def test_register_mails_a_link_then_login_sets_a_strict_httponly_cookie(client, db_session):
    hood = await make_neighbourhood(db_session)
    response = await post_form(client, "/register", {"email": "new.citizen@example.org", "password": PASSWORD,
                                                     "display_name": "Nouvelle", "neighbourhood": hood.slug,
                                                     "birth_date": "1990-01-01", "consent": "yes"})
    assert response.status_code == 200 and "new.citizen@example.org" in response.text, response.text
    assert "gb_session=" not in response.headers.get("set-cookie", "")  # the same page whether or not it existed
    login = await post_form(client, "/login", {"email": "new.citizen@example.org", "password": PASSWORD, "next": "/"})
    cookie = login.headers["set-cookie"]
    assert "gb_session=" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert "Secure" not in cookie  # plain http in tests; https adds Secure
    home = await client.get("/")
    assert "Nouvelle" in home.text and 'href="/account"' in home.text


async def test_register_refusals_render_the_form_with_the_reason(client, db_session):
    hood = await make_neighbourhood(db_session)
    base = {"display_name": "Someone", "neighbourhood": hood.slug, "birth_date": "1990-01-01", "consent": "yes"}
    for data, reason in [
        ({"email": "nope", "password": PASSWORD}, "valid email"),
        ({"email": "short@example.org", "password": "short"}, "at least 10"),
    ]:
        response = await post_form(client, "/register", {**base, **data}, headers={"accept-language": "en"})
        assert response.status_code == 400
        assert reason in response.text and 'role="alert"' in response.text


async def test_form_posts_need_the_csrf_token(client, db_session):
    account = await make_account(db_session)
    await client.get("/login")
    response = await client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 403


async def test_script_payloads_are_escaped(client):
    response = await post_form(client, "/login", {"email": "<script>alert(1)</script>", "password": "x"})
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


async def test_logout_revokes_the_browser_session(client, db_session):
    account = await make_account(db_session)
    await browser_login(client, account.email)
    cookie = client.cookies["gb_session"]
    assert account.display_name in (await client.get("/")).text
    out = await post_form(client, "/logout", {})
    assert out.status_code in (302, 303)
    client.cookies.set("gb_session", cookie)  # replay the old cookie: it was revoked
    page = await client.get("/")
    assert account.display_name not in page.text and 'href="/login"' in page.text


async def test_the_csrf_exempt_api_ignores_the_session_cookie(client, db_session):
    account = await make_account(db_session)
    await browser_login(client, account.email)
    assert account.display_name in (await client.get("/")).text
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_pages_send_anonymous_visitors_to_login(client):
    response = await post_form(client, "/logout", {})
    assert response.status_code in (302, 303) and response.headers["location"].startswith("/login")


async def test_unknown_routes_and_bad_json_are_clean(client):
    page = await client.get("/nowhere", headers={"accept-language": "en"})
    assert page.status_code == 404 and "Page not found" in page.text and "Traceback" not in page.text
    api = await client.get("/api/v1/nowhere")
    assert api.status_code == 404 and api.json()["status_code"] == 404
    bad = await client.post("/api/v1/auth/token", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "detail" in bad.json()
    missing = await client.post("/api/v1/auth/token", json={"email": "a@example.org"})
    assert missing.status_code == 400


async def test_health_and_openapi(client):
    assert (await client.get("/health")).json() == {"status": "ok", "database": "ok"}
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/auth/token" in schema["paths"]
    assert schema["paths"]["/api/v1/auth/token"]["post"]["operationId"] == "createToken"
