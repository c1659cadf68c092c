"""In Chromium on a phone-sized screen: a resident comments on a proposal, three residents report the comment and
it is hidden (the city's default threshold), then the neighbourhood's moderator restores it with a reason; a
resident asks a question under a funded project and gets a reply. The pages pass axe-core and fit 390 px."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.web.conftest import assert_accessible, login
from voting.admin.rules import DEFAULT_SETTINGS
from voting.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

MODERATOR = next(account for account in DEMO_ACCOUNTS if account.role == "moderator")
CITIZEN = next(account for account in DEMO_ACCOUNTS if account.role == "citizen")
PASSWORD = "a-long-resident-password"
PROPOSAL = "Pommiers et poiriers place de Jaude"  # in centre-jaude, which the demo moderator moderates


def phone(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844})
    context.set_default_timeout(20_000)
    return context, context.new_page()


def fits_and_passes(tab) -> None:  # type: ignore[no-untyped-def]
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390, tab.url
    assert_accessible(tab)


def resident(live_server) -> str:  # type: ignore[no-untyped-def]
    """A resident's account made by the city (its address counts as confirmed)."""
    email = f"voisin-{uuid.uuid4().hex[:8]}@example.org"
    made = live_server.cli("user", "add", email, "--role", "citizen", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    return email


def test_reported_by_n_residents_hidden_then_restored_with_a_reason(browser, live_server):
    found = httpx.get(f"{live_server.url}/api/v1/proposals", params={"q": PROPOSAL}, timeout=10).json()
    proposal_id = next(item["id"] for item in found["items"] if item["title"] == PROPOSAL)
    words = f"Des pommiers, oui !\nMais qui les arrose l'été ? <b>{uuid.uuid4().hex[:6]}</b>"

    context, tab = phone(browser, live_server)
    login(tab, CITIZEN.email, CITIZEN.password)
    tab.goto(f"/proposals/{proposal_id}")
    tab.get_by_label("Votre commentaire").fill(words)
    tab.get_by_role("button", name="Publier le commentaire").click()
    tab.wait_for_url(f"**/proposals/{proposal_id}#comment-*")
    comment_id = tab.url.rsplit("-", 1)[1]
    comment = tab.locator(f"#comment-{comment_id}")
    assert comment.get_by_test_id("comment-body").inner_text() == words  # as typed: no HTML, line break kept
    assert comment.get_by_test_id("comment-body").evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    fits_and_passes(tab)
    context.close()

    for count in range(1, DEFAULT_SETTINGS.comment_hide_after_reports + 1):
        context, tab = phone(browser, live_server)
        login(tab, resident(live_server), PASSWORD)
        tab.goto(f"/proposals/{proposal_id}")
        comment = tab.locator(f"#comment-{comment_id}")
        comment.get_by_role("button", name="Signaler aux modérateurs").click()
        tab.wait_for_url(f"**/proposals/{proposal_id}#comment-{comment_id}")
        assert comment.get_by_test_id("reported").is_visible()
        hidden = count == DEFAULT_SETTINGS.comment_hide_after_reports
        assert comment.get_attribute("data-status") == ("auto_hidden" if hidden else "visible")
        fits_and_passes(tab)
        context.close()

    context, tab = phone(browser, live_server)
    tab.goto(f"/proposals/{proposal_id}")
    comment = tab.locator(f"#comment-{comment_id}")
    assert "Masqué après des signalements" in comment.get_by_test_id("comment-reported").inner_text()
    assert comment.get_by_test_id("comment-body").count() == 0  # nobody else reads it now
    fits_and_passes(tab)

    login(tab, MODERATOR.email, MODERATOR.password)
    tab.goto("/comments/reported")  # the moderator's queue lists it, the text readable there
    assert words in tab.get_by_test_id("reported-comments").inner_text()
    fits_and_passes(tab)
    tab.goto(f"/proposals/{proposal_id}")
    comment = tab.locator(f"#comment-{comment_id}")
    assert comment.get_by_test_id("comment-reports").inner_text() == "3 signalements"
    assert comment.get_by_test_id("comment-body").inner_text() == words  # the moderator reads what was reported
    comment.get_by_text("Modérer").click()
    fits_and_passes(tab)
    comment.get_by_label("Raison (les habitants la lisent)").fill("Une question légitime, pas une insulte.")
    comment.get_by_role("button", name="Rétablir le commentaire").click()
    tab.wait_for_url(f"**/proposals/{proposal_id}#comment-{comment_id}")
    assert comment.get_attribute("data-status") == "visible"
    fits_and_passes(tab)
    context.close()

    context, tab = phone(browser, live_server)
    tab.goto(f"/proposals/{proposal_id}")
    assert tab.locator(f"#comment-{comment_id}").get_by_test_id("comment-body").inner_text() == words
    context.close()
    audit = live_server.cli("audit", "verify")
    assert audit.returncode == 0, audit.stderr


def test_a_funded_project_has_its_discussion(browser, live_server):
    projects = httpx.get(f"{live_server.url}/api/v1/funded-projects", timeout=10).json()
    project_id = (projects["items"] if isinstance(projects, dict) else projects)[0]["id"]
    context, tab = phone(browser, live_server)
    login(tab, CITIZEN.email, CITIZEN.password)
    tab.goto(f"/building/{project_id}")
    tab.get_by_label("Votre commentaire").fill("Le prochain chantier est-il ouvert aux enfants ?")
    tab.get_by_role("button", name="Publier le commentaire").click()
    tab.wait_for_url(f"**/building/{project_id}#comment-*")
    comment = tab.locator(f"#comment-{tab.url.rsplit('-', 1)[1]}")
    comment.get_by_text("Répondre").click()
    long_word = "https://example.org/" + "a" * 120  # one unbroken word wider than the phone: wrapped, no scroll
    comment.get_by_label("Votre réponse").fill(f"Oui, accompagnés. {long_word}")
    comment.get_by_role("button", name="Envoyer la réponse").click()
    tab.wait_for_url(f"**/building/{project_id}#comment-*")
    reply = tab.locator("ol.replies").get_by_test_id("comment-body").last
    assert reply.inner_text() == f"Oui, accompagnés. {long_word}"
    fits_and_passes(tab)
    context.close()
