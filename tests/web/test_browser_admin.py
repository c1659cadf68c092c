"""In Chromium: an admin creates a neighbourhood and a category and makes a citizen that neighbourhood's
moderator; the new moderator can then review that neighbourhood's proposals and not another's."""

from __future__ import annotations

import uuid

import pytest

from tests.web.conftest import login
from voting.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ADMIN = next(account for account in DEMO_ACCOUNTS if account.role == "admin")


def register(browser, live_server, email: str, password: str) -> None:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.goto("/register")
    page.fill("#display_name", "Future Moderator")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
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
    person.get_by_label("Les Cézeaux").check()
    person.get_by_role("button", name="Nommer modérateur de ces quartiers").click()
    person = page.locator(f"section[data-email='{email}']")
    assert person.get_by_test_id("roles").inner_text() == "citizen, moderator"
    assert person.get_by_test_id("scope").inner_text() == slug

    duplicate = page.request.post(f"{live_server.url}/api/v1/admin/neighbourhoods",
                                  data={"slug": slug, "name_fr": "x", "name_en": "x"})
    assert duplicate.status == 401  # the CSRF-exempt API ignores the session cookie: Bearer tokens only
