"""In Chromium: a citizen on the roll votes within the budget, sees the receipt, changes the vote, checks receipts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.conftest import login
from voting.demo import BALLOT_TITLE, DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

CITIZEN = next(account for account in DEMO_ACCOUNTS if account.role == "citizen")


def choose(page, titles: list[str]) -> None:  # type: ignore[no-untyped-def]
    for box in page.locator("input[name=projects]").all():
        if box.is_checked():
            box.uncheck()
    for title in titles:
        page.get_by_label(re.compile(re.escape(title))).check()


def test_citizen_votes_changes_the_vote_and_checks_receipts(page):
    login(page, CITIZEN.email, CITIZEN.password)
    page.get_by_role("link", name="Scrutins").click()
    page.get_by_role("link", name=BALLOT_TITLE).click()
    assert "Ouvert" in page.get_by_test_id("ballot-status").inner_text()
    page.get_by_test_id("vote-link").click()
    expect(page.locator("#check-total")).to_be_hidden()  # JavaScript keeps the counter live instead
    choose(page, ["Pommiers et poiriers place de Jaude", "Jardin partagé rue Fontgiève"])
    assert page.locator("#spent").inner_text().replace("\u202f", " ").replace("\xa0", " ") == "50 500 €"
    page.get_by_label(re.compile("Toits végétalisés")).check()
    page.get_by_label(re.compile("Désimperméabilisation")).check()
    assert page.locator("#over").is_visible()  # 182 500 € is over the 150 000 € budget
    page.get_by_label(re.compile("Désimperméabilisation")).uncheck()
    assert page.locator("#over").is_hidden()
    page.get_by_role("button", name="Relire mon vote").click()  # the review step
    page.get_by_role("button", name="Voter").click()
    first = page.get_by_test_id("receipt-code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4}){6}", first)
    assert page.get_by_role("heading", level=1).inner_text() == "Votre vote est enregistré"

    page.get_by_role("link", name="Modifier mon vote").click()
    choose(page, ["Verger de la place Delille"])
    page.get_by_role("button", name="Relire mon vote").click()  # the review step
    page.get_by_role("button", name="Voter").click()
    second = page.get_by_test_id("receipt-code").inner_text()
    assert second != first and "remplace le précédent" in page.get_by_role("status").inner_text()

    page.get_by_role("link", name="Vérifier un reçu").click()
    page.fill("#code", first.lower())
    page.get_by_role("button", name="Vérifier").click()
    assert "Remplacé" in page.get_by_test_id("receipt-status").inner_text()
    page.fill("#code", second)
    page.get_by_role("button", name="Vérifier").click()
    assert "Enregistré : c'est votre vote actuel." in page.get_by_test_id("receipt-status").inner_text()
