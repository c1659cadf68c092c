"""In Chromium: script payloads written through the API into every text field a citizen, a moderator or an admin can
set are shown as text on every page that shows them; nothing runs, no dialog opens, the CSP reports nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.web.conftest import login
from voting.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ROLE = {account.role: account for account in DEMO_ACCOUNTS}
MARK = uuid.uuid4().hex[:6]
PAYLOAD = (f'X{MARK}"><img src=x onerror=window.__xss=1><script>window.__xss=1</script>'
           "<svg onload=window.__xss=1>{{7*7}}")
"""Each payload: an attribute break-out, an image error handler, a script, an SVG handler, a template expression."""
LINK = "javascript:window.__xss=1"

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


def api(live_server: Any, account: Any) -> httpx.Client:
    client = httpx.Client(base_url=live_server.url, timeout=30, headers={"accept-language": "en"})
    token = client.post("/api/v1/auth/token", json={"email": account.email, "password": account.password})
    assert token.status_code == 200, token.text
    client.headers["authorization"] = f"Bearer {token.json()['access_token']}"
    return client


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.is_success, (response.request.method, response.request.url.path, response.text)
    return response.json() if response.content else {}


@pytest.fixture(scope="module")
def planted(live_server):  # type: ignore[no-untyped-def]
    """Payloads in every writable name and title; the city's name and the people's names restored afterwards."""
    admin, citizen, moderator = (api(live_server, ROLE[r]) for r in ("admin", "citizen", "moderator"))
    hood = next(h for h in ok(admin.get("/api/v1/admin/neighbourhoods")) if h["slug"] == "centre-jaude")
    city_before = ok(admin.get("/api/v1/admin/settings"))["city_name"]
    names_before = {c: ok(c.get("/api/v1/account"))["display_name"] for c in (citizen, moderator)}
    try:
        ok(admin.put("/api/v1/admin/settings", json={"city_name": "City " + PAYLOAD[:150]}))
        new_hood = ok(admin.post("/api/v1/admin/neighbourhoods", json={
            "slug": f"xss-{MARK}", "name_fr": PAYLOAD[:110], "name_en": PAYLOAD[:110]}))
        ok(admin.post("/api/v1/admin/categories", json={
            "slug": f"xss-{MARK}", "name_fr": PAYLOAD[:110], "name_en": PAYLOAD[:110]}))
        ok(citizen.patch("/api/v1/account", json={"display_name": PAYLOAD[:110]}))
        ok(moderator.patch("/api/v1/account", json={"display_name": PAYLOAD[:110]}))
        proposal = ok(citizen.post("/api/v1/proposals", json={
            "title": PAYLOAD[:150], "summary": PAYLOAD, "description": f"{PAYLOAD}\n{LINK}",
            "category": f"xss-{MARK}", "neighbourhood_id": hood["id"], "estimated_cost": 5000,
            "address": PAYLOAD[:150], "community": PAYLOAD[:150], "submit": True}))
        ok(moderator.post(f"/api/v1/proposals/{proposal['id']}/transitions", json={
            "action": "accept", "message": PAYLOAD, "validated_cost": 5000}))
        now = datetime.now(UTC)
        ballot = ok(admin.post("/api/v1/ballots", json={
            "neighbourhood_id": hood["id"], "title": PAYLOAD[:190], "description": f"{PAYLOAD}\n{LINK}",
            "budget": 100_000, "proposal_ids": [proposal["id"]], "opens_at": (now + timedelta(days=1)).isoformat(),
            "closes_at": (now + timedelta(days=9)).isoformat()}))
        ok(admin.post(f"/api/v1/ballots/{ballot['id']}/transitions/open"))  # a draft is its managers' alone
        yield {"proposal": proposal["id"], "ballot": ballot["id"], "hood": new_hood["slug"]}
    finally:
        admin.put("/api/v1/admin/settings", json={"city_name": city_before})
        for client, name in names_before.items():
            client.patch("/api/v1/account", json={"display_name": name})
        admin.post(f"/api/v1/admin/neighbourhoods/xss-{MARK}/retire")
        admin.post(f"/api/v1/admin/categories/xss-{MARK}/retire")
        for client in (admin, citizen, moderator):
            client.close()


def visit(page, path: str, events: list[str]) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    page.wait_for_load_state("load")
    assert page.evaluate("() => window.__xss") is None, f"a payload ran on {path}"
    assert page.evaluate("() => window.__csp") == [], (path, page.evaluate("() => window.__csp"))
    text = page.evaluate("() => document.body.innerText")
    assert f"X{MARK}\"><img src=x onerror=window.__xss=1>" in text, f"{path} does not show the payload as text"
    assert "{{7*7}}" in text, path
    assert page.locator("img[src=x], svg[onload], script:not([src])").count() == 0, path
    assert not any("Content Security Policy" in event for event in events), (path, events)


@pytest.mark.parametrize("role, paths", [
    (None, ["/", "/proposals", "/proposals/{proposal}", "/ballots/{ballot}"]),
    ("citizen", ["/account", "/proposals/mine", "/proposals/{proposal}"]),
    ("moderator", ["/proposals/review", "/ballots/{ballot}"]),
    ("admin", ["/admin/settings", "/admin/neighbourhoods", "/admin/categories", "/admin/people?q=citizen",
               "/ballots", "/ballots/{ballot}", "/proposals?category=xss-" + MARK]),
])
def test_payloads_show_as_text_and_never_run(browser, live_server, planted, role, paths) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH)
    page = context.new_page()
    dialogs: list[str] = []
    events: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: events.append(message.text))
    page.on("pageerror", lambda error: events.append(f"pageerror {error}"))
    try:
        if role:
            login(page, ROLE[role].email, ROLE[role].password)
        for path in paths:
            visit(page, path.format(**planted), events)
        assert dialogs == []
        if role is None:  # the javascript: text is not turned into a link anywhere
            page.goto(f"/proposals/{planted['proposal']}")
            assert page.locator("a[href^='javascript:' i]").count() == 0
    finally:
        context.close()


def test_api_docs_run_from_our_own_files_under_the_csp(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(WATCH)
    page = context.new_page()
    requests: list[str] = []
    events: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: events.append(message.text))
    try:
        page.goto("/schema/swagger")
        page.locator(".swagger-ui .info .title").first.wait_for()
        assert "greenballot" in page.locator(".swagger-ui .info .title").first.inner_text()
        assert page.locator(".opblock").count() > 10
        assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests), requests
        assert page.evaluate("() => window.__csp") == []
        assert not any("Content Security Policy" in event for event in events), events
    finally:
        context.close()


@pytest.mark.parametrize("policy_name, styled", [("MAIL_PREVIEW_POLICY", True), ("CONTENT_SECURITY_POLICY", False)])
def test_the_mail_preview_policy_keeps_mail_styles_and_still_no_script(browser, policy_name, styled) -> None:  # type: ignore[no-untyped-def]
    """The demo mailbox shows a mail's HTML in a sandboxed srcdoc iframe, which inherits the page's CSP: its own
    policy lets the mail's inline styles apply (the strict one would not) and still runs no script."""
    import html

    from voting.web import security

    mail = ('<p id="styled" style="color: rgb(1, 2, 3)">Bonjour</p>'
            "<script>parent.__xss = 1; window.__xss = 1</script><img src=x onerror=window.__xss=1>")
    body = (f'<!doctype html><html><body><iframe sandbox title="mail" srcdoc="{html.escape(mail)}">'
            "</iframe></body></html>")
    context = browser.new_context()
    page = context.new_page()
    page.route("http://mail.test/**", lambda route: route.fulfill(status=200, body=body, headers={
        "content-type": "text/html; charset=utf-8", "content-security-policy": getattr(security, policy_name)}))
    try:
        page.goto("http://mail.test/")
        frame = page.frames[1]
        frame.wait_for_selector("#styled")
        color = frame.evaluate("() => getComputedStyle(document.getElementById('styled')).color")
        assert (color == "rgb(1, 2, 3)") is styled, color
        assert frame.evaluate("() => window.__xss") is None and page.evaluate("() => window.__xss") is None
    finally:
        context.close()
