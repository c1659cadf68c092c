"""In Chromium: a citizen proposes with a photo, the moderator asks for a change, then accepts; others find and
support it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.proposal_factories import PNG
from tests.web.conftest import login
from voting.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

MODERATOR = next(account for account in DEMO_ACCOUNTS if account.role == "moderator")
CITIZEN = next(account for account in DEMO_ACCOUNTS if account.role == "citizen")


def new_page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    return context.new_page()


def test_propose_review_accept_find_and_support(page, browser, live_server):
    token = uuid.uuid4().hex[:10]
    title = f"Verger des Tilleuls {token}"
    email = f"proposer-{token}@example.org"

    # A resident registers and proposes, with a photo, from the form.
    page.goto("/register")
    page.fill("#display_name", "Rosa Résidente")
    page.fill("#email", email)
    page.fill("#password", "a-long-enough-password")
    page.select_option("#neighbourhood", label="Centre – Jaude")
    page.fill("#birth_date", "1985-06-15")
    page.get_by_label("J'ai lu la politique de confidentialité").check()
    page.get_by_role("button", name="S'inscrire").click()
    assert page.locator("h1").inner_text() == "Consultez votre messagerie"
    login(page, email, "a-long-enough-password")
    page.get_by_role("link", name="Propositions", exact=True).click()
    page.get_by_role("link", name="Proposer un projet").click()
    page.fill("#title", title)
    page.fill("#summary", "Douze pommiers et poiriers le long de l'allée.")
    page.fill("#description", "Premier paragraphe.\n\nPlus d'idées : https://example.org/verger")
    page.select_option("#category", "fruit-trees")
    page.select_option("#neighbourhood_id", label="Centre – Jaude")
    page.fill("#estimated_cost", "15000")
    page.set_input_files("#photo", files=[{"name": "verger.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="Soumettre à l'examen").click()
    page.wait_for_url("**/proposals/*")
    proposal_url = page.url
    assert page.get_by_test_id("status").inner_text() == "En attente d'examen"
    assert page.get_by_test_id("photo").evaluate("img => img.naturalWidth") == 1
    link = page.get_by_role("link", name="https://example.org/verger")
    assert link.get_attribute("rel") == "nofollow noopener"

    # The neighbourhood's moderator asks for a change.
    moderator = new_page(browser, live_server)
    login(moderator, MODERATOR.email, MODERATOR.password)
    moderator.goto("/proposals/review")
    moderator.get_by_role("link", name=title).click()
    moderator.fill("#changes", "Précisez les variétés, s'il vous plaît.")
    moderator.get_by_role("button", name="Demander des modifications").click()
    moderator.wait_for_load_state()
    assert moderator.get_by_test_id("status").inner_text() == "Modifications demandées"

    # The resident sees the message, edits and resubmits.
    page.goto("/proposals/mine")
    assert "Précisez les variétés" in page.get_by_test_id("moderator-message").first.inner_text()
    page.goto(proposal_url)
    page.get_by_role("link", name="Modifier").click()
    page.fill("#summary", "Six pommiers (reinette) et six poiriers (williams) le long de l'allée.")
    page.get_by_role("button", name="Soumettre à l'examen").click()
    page.wait_for_url(proposal_url)
    assert page.get_by_test_id("status").inner_text() == "En attente d'examen"

    # The moderator accepts it with a validated cost.
    moderator.goto(proposal_url)
    moderator.fill("#validated_cost", "14200")
    moderator.fill("#feasibility", "Validé avec le service des espaces verts.")
    moderator.get_by_role("button", name="Accepter").click()
    moderator.wait_for_load_state()
    assert moderator.get_by_test_id("status").inner_text() == "Acceptée"
    assert "14" in moderator.get_by_test_id("validated-cost").inner_text()

    # The demo city is voting, so its supports window is over: the moderator reopens supports in Centre – Jaude.
    moderator.goto("/admin/calendar")
    moderator.select_option("#scope", label="Centre – Jaude")
    moderator.get_by_role("button", name="Afficher").click()
    paris = datetime.now(ZoneInfo("Europe/Paris"))
    moderator.fill("#supports_starts", (paris - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    moderator.fill("#supports_ends", (paris + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"))
    moderator.get_by_role("button", name="Enregistrer le calendrier").click()
    assert moderator.get_by_role("status").inner_text() == "Enregistré."
    moderator.context.close()

    # Anyone finds it in the public list and by full-text search.
    visitor = new_page(browser, live_server)
    visitor.goto("/proposals?status=accepted")
    assert visitor.get_by_role("link", name=title).is_visible()
    visitor.fill("#q", f"pommiers {token}")
    visitor.get_by_role("button", name="Filtrer").click()
    visitor.wait_for_load_state()
    assert visitor.get_by_test_id("total").inner_text() == "1 proposition"
    assert visitor.get_by_role("link", name=title).is_visible()
    visitor.context.close()

    # Another citizen supports it.
    supporter = new_page(browser, live_server)
    login(supporter, CITIZEN.email, CITIZEN.password)
    supporter.goto(proposal_url)
    assert supporter.get_by_test_id("supports").inner_text() == "0 soutien"
    supporter.get_by_role("button", name="Soutenir ce projet").click()
    supporter.wait_for_load_state()
    assert supporter.get_by_test_id("supports").inner_text() == "1 soutien"
    assert supporter.get_by_role("button", name="Retirer mon soutien").is_visible()
    supporter.context.close()
