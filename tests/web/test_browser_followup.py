"""In Chromium: a resident signs up as a volunteer on a funded project, a moderator posts a milestone with a photo,
and the volunteer's update mail is in the outbox; the pages pass axe and fit 390 px."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from tests.conftest import in_thread
from tests.proposal_factories import PNG
from tests.web.conftest import assert_accessible, login
from voting.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

CITIZEN = next(account for account in DEMO_ACCOUNTS if account.role == "citizen")
MODERATOR = next(account for account in DEMO_ACCOUNTS if account.role == "moderator")


def fits(page, width: int = 390) -> None:  # type: ignore[no-untyped-def]
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width}"


def outbox(live_server, address: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    async def read() -> list[tuple[str, str]]:
        connection = await asyncpg.connect(live_server.env["DATABASE_URL"])
        try:
            rows = await connection.fetch("SELECT kind, body_text FROM mail_outbox WHERE to_address = $1 "
                                          "ORDER BY id", address)
            return [(row[0], row[1]) for row in rows]
        finally:
            await connection.close()

    return in_thread(asyncio.run, read())


def test_volunteer_then_a_milestone_with_a_photo_reaches_the_volunteer(page, browser, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/building")
    page.wait_for_selector("[data-testid=building-map][data-ready='1']")
    fits(page)
    assert_accessible(page)
    links = page.get_by_test_id("funded-projects").locator("h3 a")  # the demo's project is the first funded
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")  # (other modules on this
    demo = min(hrefs, key=lambda href: int(href.rstrip("/").rsplit("/", 1)[1]))  # server may fund later ones)
    links.and_(page.locator(f"[href='{demo}']")).first.click()
    page.wait_for_url("**/building/*")
    project_url = page.url
    assert page.get_by_test_id("next-work-day").count() == 1  # the demo's coming work day
    fits(page)
    assert_accessible(page)

    login(page, CITIZEN.email, CITIZEN.password)
    page.goto(project_url)
    before = page.get_by_test_id("volunteer-count").inner_text()
    page.get_by_role("button", name="Participer comme bénévole").click()
    page.wait_for_url("**/building/*")
    after = page.get_by_test_id("volunteer-count").inner_text()
    assert after != before and page.get_by_role("button", name="Ne plus participer").count() == 1
    assert_accessible(page)

    moderator = browser.new_context(base_url=live_server.url, locale="fr-FR")
    moderator.set_default_timeout(15_000)
    mod_page = moderator.new_page()
    mod_page.set_viewport_size({"width": 390, "height": 844})
    login(mod_page, MODERATOR.email, MODERATOR.password)
    mod_page.goto(project_url)
    title = f"Arbres livrés {uuid.uuid4().hex[:6]}"
    mod_page.fill("#m-title", title)
    mod_page.fill("#m-day", "2027-03-06")
    mod_page.fill("#m-body", "Douze pommiers attendent en jauge.")
    mod_page.set_input_files("#m-photo", files=[{"name": "arbres.png", "mimeType": "image/png", "buffer": PNG}])
    mod_page.get_by_role("button", name="Publier", exact=True).click()
    mod_page.wait_for_url("**/building/*")
    item = mod_page.get_by_test_id("milestones").locator("li", has_text=title)
    assert item.get_by_test_id("milestone-photo").evaluate("img => img.naturalWidth") == 480  # the thumbnail
    assert "samedi 6 mars 2027" in item.inner_text()
    fits(mod_page)
    assert_accessible(mod_page)
    moderator.close()

    mails = [body for kind, body in outbox(live_server, CITIZEN.email) if kind == "project_update"]
    assert any(title in body and "/building/" in body for body in mails)
