"""In Chromium, as a citizen: pick projects on cards while the budget bar fills and the remaining budget is
announced, open a full proposal in place, review, vote, land with the focus on the receipt, then change the vote
with the old choice filled in. axe-core finds nothing on the vote, review and receipt pages at 390 and 1280 px,
and nothing scrolls sideways at 390 px."""

from __future__ import annotations

import asyncio
import io
import re

import asyncpg
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import in_thread
from tests.web.conftest import assert_accessible, login
from voting.demo import BALLOT_TITLE, DEMO_ACCOUNTS
from voting.proposals.thumbnail import make_thumbnail

pytestmark = pytest.mark.browser

CITIZEN = next(account for account in DEMO_ACCOUNTS if account.role == "citizen")
ORCHARD, GARDEN, ROOFS, PAVING = ("Pommiers et poiriers place de Jaude", "Jardin partagé rue Fontgiève",
                                  "Toits végétalisés", "Désimperméabilisation")


def spaces(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def give_the_orchard_a_photo(database_url: str) -> None:
    """A photo as an upload would have stored it (the demo's proposals are past the stage where one is added)."""
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (60, 140, 70)).save(out, "JPEG")
    photo = out.getvalue()

    async def store() -> None:
        connection = await asyncpg.connect(database_url)
        try:
            await connection.execute(
                "INSERT INTO proposal_photo (proposal_id, content_type, content, sha256, thumbnail) "
                "SELECT id, 'image/jpeg', $1, 'test', $2 FROM proposal WHERE title = $3 ON CONFLICT DO NOTHING",
                photo, make_thumbnail(photo), ORCHARD)
        finally:
            await connection.close()

    in_thread(asyncio.run, store())


def check_layout(page) -> None:  # type: ignore[no-untyped-def]
    """axe-core at a phone's and a desktop's width, and no sideways scroll on the phone."""
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        assert_accessible(page)
        if width == 390:
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{page.url} is {overflow}px wider than a 390px screen"
    page.set_viewport_size({"width": 390, "height": 844})


def card(page, title: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("project-card").filter(has_text=title)


def test_citizen_votes_on_cards_reviews_and_changes_the_vote(page, live_server):
    give_the_orchard_a_photo(live_server.env["DATABASE_URL"])
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, CITIZEN.email, CITIZEN.password)
    page.goto("/ballots")
    page.get_by_role("link", name=BALLOT_TITLE).click()
    assert card(page, ORCHARD).locator("img.thumb").count() == 1  # the ballot's page shows the same cards
    check_layout(page)
    page.get_by_test_id("vote-link").click()
    page.wait_for_url(re.compile(r"/vote$"))
    page.wait_for_load_state("load")
    expect(page.locator("#budget-bar")).to_be_visible()  # the vote page is there before the key is pressed

    # the skip link comes first and shows when focused
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Aller au contenu")
    assert skip.is_visible()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"

    assert page.get_by_test_id("project-card").count() >= 5
    photo = card(page, ORCHARD).locator("img.thumb")
    expect(photo).to_have_attribute("src", re.compile(r"/proposals/\d+/thumbnail$"))
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 480
    assert "Centre – Jaude" in card(page, ORCHARD).inner_text()
    details = card(page, GARDEN).locator("details")
    details.locator("summary").click()
    expect(details.locator(".card-description")).to_be_visible()
    assert details.get_by_role("link", name=re.compile("Ouvrir la page")).is_visible()

    bar = page.locator("#budget-bar")
    assert page.locator("#check-total").is_hidden()
    page.get_by_label(re.compile(ORCHARD)).check()
    page.get_by_label(re.compile(GARDEN)).check()
    assert spaces(page.locator("#spent").inner_text()) == "50 500 €"
    assert bar.evaluate("b => b.value") == 50_500
    announce = page.locator("#budget-announce")
    expect(announce).to_have_attribute("aria-live", "polite")
    expect(announce).to_have_text(re.compile(r"Budget restant : 99\s500\s€"))
    assert "chosen" in (card(page, GARDEN).get_attribute("class") or "")
    page.get_by_label(re.compile(ROOFS)).check()
    page.get_by_label(re.compile(PAVING)).check()
    assert page.locator("#over").is_visible() and "over" in (bar.get_attribute("class") or "")
    expect(announce).to_have_text(re.compile(r"Budget dépassé de 32\s500\s€"))
    page.get_by_label(re.compile(PAVING)).uncheck()
    assert page.locator("#over").is_hidden()
    check_layout(page)

    page.get_by_role("button", name="Relire mon vote").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Relisez votre vote")
    reviewed = page.get_by_test_id("review-list").inner_text()
    assert ORCHARD in reviewed and GARDEN in reviewed and ROOFS in reviewed and PAVING not in reviewed
    assert "124 500" in spaces(page.get_by_test_id("review-total").inner_text())
    check_layout(page)

    page.get_by_role("button", name="Voter").click()
    first = page.get_by_test_id("receipt-code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4}){6}", first)
    expect(page.locator("#receipt")).to_be_focused()
    check_layout(page)

    page.get_by_role("link", name="Modifier mon vote").click()
    expect(page.get_by_test_id("prefilled")).to_be_visible()
    for title in (ORCHARD, GARDEN, ROOFS):
        assert page.get_by_label(re.compile(title)).is_checked(), title
    assert not page.get_by_label(re.compile(PAVING)).is_checked()
    assert spaces(page.locator("#spent").inner_text()) == "124 500 €"
    page.get_by_label(re.compile(ROOFS)).uncheck()
    page.get_by_role("button", name="Relire mon vote").click()
    assert ROOFS not in page.get_by_test_id("review-list").inner_text()
    page.get_by_role("button", name="Voter").click()
    second = page.get_by_test_id("receipt-code").inner_text()
    assert second != first and "remplace le précédent" in page.get_by_role("status").inner_text()
    expect(page.locator("#receipt")).to_be_focused()

    page.get_by_role("link", name="Modifier mon vote").click()  # the latest vote is the one filled in
    assert page.get_by_label(re.compile(ORCHARD)).is_checked() and not page.get_by_label(re.compile(ROOFS)).is_checked()


def test_a_refusal_stands_beside_the_control_and_keeps_the_choice(page):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, CITIZEN.email, CITIZEN.password)
    page.goto("/ballots")
    page.get_by_role("link", name=BALLOT_TITLE).click()
    page.get_by_test_id("vote-link").click()
    for box in page.locator("input[name=projects]:checked").all():
        box.uncheck()  # this tab may remember an earlier vote
    for title in (ORCHARD, ROOFS, PAVING):
        page.get_by_label(re.compile(title)).check()
    page.get_by_role("button", name="Relire mon vote").click()
    expect(page.locator("#budget-messages")).to_contain_text("au-delà du budget")
    assert page.get_by_label(re.compile(PAVING)).is_checked()
    check_layout(page)


def test_the_accessibility_statement_is_reached_from_the_footer(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name=re.compile("Accessibilité")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déclaration d'accessibilité")
    assert "axe-core 4.11.0" in page.locator("main").inner_text()
    assert page.get_by_test_id("checks").locator("tbody tr").count() == 3
    check_layout(page)
