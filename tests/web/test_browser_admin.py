"""In Chromium: an admin creates a neighbourhood and a category and makes a citizen that neighbourhood's
moderator; the new moderator can then review that neighbourhood's proposals and not another's."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.web.conftest import login
from voting.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ADMIN = next(account for account in DEMO_ACCOUNTS if account.role == "admin")
CITIZEN = next(account for account in DEMO_ACCOUNTS if account.role == "citizen")


def register(browser, live_server, email: str, password: str) -> None:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.goto("/register")
    page.fill("#display_name", "Future Moderator")
    page.fill("#email", email)
    page.fill("#password", password)
    page.select_option("#neighbourhood", index=1)
    page.fill("#birth_date", "1990-05-01")
    page.get_by_label("I have read the privacy notice").check()
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "Check your mailbox"
    context.close()


def test_admin_sets_up_a_neighbourhood_category_and_moderator(browser, live_server, page):
    slug = f"les-cezeaux-{uuid.uuid4().hex[:6]}"
    email = f"future.moderator.{uuid.uuid4().hex[:6]}@example.org"
    register(browser, live_server, email, "a-long-password-1")

    login(page, ADMIN.email, ADMIN.password)
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Quartiers").click()
    page.fill("#slug", slug)
    page.fill("#name_fr", "Les Cézeaux")
    page.fill("#name_en", "Cezeaux campus")
    page.fill("#postcodes", "63170, 63178")
    page.click("form.card button[type=submit]")
    assert page.get_by_role("status").inner_text() == "Enregistré."
    row = page.locator(f"tr[data-slug='{slug}']")
    assert "Les Cézeaux" in row.inner_text() and "63170, 63178" in row.inner_text()

    category = f"mares-{uuid.uuid4().hex[:6]}"
    page.goto("/admin/categories")
    page.fill("#slug", category)
    page.fill("#name_fr", "Mares")
    page.fill("#name_en", "Ponds")
    page.click("form.card button[type=submit]")
    assert "Mares" in page.locator(f"tr[data-slug='{category}']").inner_text()

    page.goto("/admin/people")
    page.fill("#q", email)
    page.get_by_role("button", name="Chercher").click()
    person = page.locator(f"section[data-email='{email}']")
    person.get_by_role("group", name="Modérateur de").get_by_label("Les Cézeaux").check()
    person.get_by_role("button", name="Nommer modérateur de ces quartiers").click()
    person = page.locator(f"section[data-email='{email}']")
    assert person.get_by_test_id("roles").inner_text() == "habitant, modérateur"
    assert person.get_by_test_id("scope").inner_text() == slug

    duplicate = page.request.post(f"{live_server.url}/api/v1/admin/neighbourhoods",
                                  data={"slug": slug, "name_fr": "x", "name_en": "x"})
    assert duplicate.status == 401  # the CSRF-exempt API ignores the session cookie: Bearer tokens only

    # A citizen proposes something in each of two neighbourhoods; the new moderator reviews only the first.
    hoods = {h["slug"]: h["id"] for h in httpx.get(f"{live_server.url}/api/v1/neighbourhoods").json()}
    citizen = bearer(live_server, CITIZEN.email, CITIZEN.password)
    mine = propose(live_server, citizen, hoods[slug], "Mare pédagogique des Cézeaux")
    other = propose(live_server, citizen, hoods["montferrand"], "Nichoirs à mésanges de Montferrand")

    moderator = browser.new_context(base_url=live_server.url, locale="en-GB")
    tab = moderator.new_page()
    login(tab, email, "a-long-password-1")
    tab.goto("/proposals/review")
    queue = tab.locator("main").inner_text()
    assert "Mare pédagogique des Cézeaux" in queue and "Nichoirs à mésanges" not in queue
    tab.goto(f"/proposals/{mine}")
    assert tab.get_by_test_id("review").is_visible()
    tab.goto(f"/proposals/{other}")
    assert tab.get_by_test_id("review").count() == 0
    token = bearer(live_server, email, "a-long-password-1")
    refused = httpx.post(f"{live_server.url}/api/v1/proposals/{other}/transitions", headers=token,
                         json={"action": "accept", "validated_cost": 900, "message": "ok"})
    assert refused.status_code == 403
    accepted = httpx.post(f"{live_server.url}/api/v1/proposals/{mine}/transitions", headers=token,
                          json={"action": "accept", "validated_cost": 4_000, "message": "Faisable."})
    assert accepted.status_code == 200, accepted.text
    moderator.close()


def bearer(live_server, email: str, password: str) -> dict[str, str]:
    response = httpx.post(f"{live_server.url}/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def propose(live_server, headers: dict[str, str], neighbourhood_id: int, title: str) -> int:
    created = httpx.post(f"{live_server.url}/api/v1/proposals/", headers=headers, json={
        "title": title, "summary": "A small greening project proposed by a resident.",
        "description": "Plant, water, share.", "category": "garden", "neighbourhood_id": neighbourhood_id,
        "estimated_cost": 4_500, "submit": True})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])
