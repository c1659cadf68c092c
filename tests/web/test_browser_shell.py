"""In Chromium: log in as a demo citizen and read the home page in French, then switch to English."""

from __future__ import annotations

import pytest

from tests.web.conftest import login
from voting.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

CITIZEN = next(account for account in DEMO_ACCOUNTS if account.role == "citizen")


def test_login_and_home_in_french_then_english(page):
    login(page, CITIZEN.email, CITIZEN.password)
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Des projets verts pour nos quartiers"
    assert page.get_by_test_id("whoami").inner_text() == CITIZEN.name
    assert "Budget vert 2027" in page.get_by_test_id("open-ballots").inner_text()
    assert "Montferrand" in page.get_by_test_id("neighbourhoods").inner_text()
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Green projects for our neighbourhoods"
    assert page.get_by_role("button", name="Log out").is_visible()


def test_english_browser_gets_english_and_bad_login_is_refused(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.goto("/login")
    assert page.locator("h1").inner_text() == "Log in"
    page.fill("#email", CITIZEN.email)
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "Wrong email or password."
    page.goto("/no-such-page")
    assert page.locator("h1").inner_text() == "Page not found"
    context.close()


def test_logout_ends_the_session(page):
    login(page, CITIZEN.email, CITIZEN.password)
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Se connecter").is_visible()
