"""In Chromium, as a moderator: create a ballot with a threshold and an incompatible group through the form (a
refusal first, shown beside its field in French), then the ballot's page states both; axe-core finds nothing on
the form, refused or not."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from playwright.sync_api import expect

from tests.conftest import in_thread
from tests.web.conftest import assert_accessible, login
from voting.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

MODERATOR = next(account for account in DEMO_ACCOUNTS if account.role == "moderator")


def two_accepted_proposals(database_url: str) -> tuple[int, list[tuple[int, str]]]:
    """A neighbourhood the demo moderator manages and two of its accepted proposals (id, title)."""
    async def read() -> tuple[int, list[tuple[int, str]]]:
        connection = await asyncpg.connect(database_url)
        try:
            rows = await connection.fetch(
                "SELECT p.id, p.title, p.neighbourhood_id FROM proposal p JOIN neighbourhood n "
                "ON n.id = p.neighbourhood_id WHERE n.slug = $1 AND p.status = 'accepted' "
                "AND p.validated_cost IS NOT NULL ORDER BY p.id LIMIT 2", MODERATOR.neighbourhoods[0])
            return int(rows[0]["neighbourhood_id"]), [(int(r["id"]), str(r["title"])) for r in rows]
        finally:
            await connection.close()

    return in_thread(asyncio.run, read())


def fill_ballot(page, hood: int, proposals: list[tuple[int, str]], share: str) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#neighbourhood_id", str(hood))
    page.fill("#title", "Aménager la place du marché")
    page.fill("#budget", "100000")
    for proposal_id, _ in proposals:
        page.check(f"#pr{proposal_id}")
    page.select_option("#vote_format", "approval")
    page.select_option("#rule", "greedy-threshold")
    page.fill("#min_project_score", "3")
    page.fill("#min_voter_share", share)
    page.get_by_text("Contraintes que le résultat doit respecter").click()  # opens the details
    page.fill("#incompatible-0-name", "Place du marché")
    page.select_option("#incompatible-0-projects", [str(proposal_id) for proposal_id, _ in proposals])
    page.fill("#opens_at", "2031-03-01T08:00")
    page.fill("#closes_at", "2031-03-20T20:00")


def test_moderator_creates_a_ballot_with_a_threshold_and_an_incompatible_group(page, live_server):
    hood, proposals = two_accepted_proposals(live_server.env["DATABASE_URL"])
    assert len(proposals) == 2
    login(page, MODERATOR.email, MODERATOR.password)
    page.goto("/ballots/new")
    assert_accessible(page)
    fill_ballot(page, hood, proposals, "150")
    page.get_by_role("button", name="Créer le brouillon du scrutin").click()
    message = page.locator("#min_voter_share-messages")
    expect(message).to_contain_text("entre 0 et 100")
    expect(page.locator("#min_voter_share")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#incompatible-0-name")).to_have_value("Place du marché")  # kept as typed
    assert_accessible(page)
    page.fill("#min_voter_share", "10")
    page.fill("#opens_at", "2031-03-01T08:00")
    page.fill("#closes_at", "2031-03-20T20:00")
    page.get_by_role("button", name="Créer le brouillon du scrutin").click()
    page.wait_for_url(lambda url: url.rstrip("/").rsplit("/", 1)[-1].isdigit())
    expect(page.get_by_test_id("ballot-threshold")).to_contain_text("au moins 3 voix ou points")
    expect(page.get_by_test_id("ballot-threshold")).to_contain_text("10")
    incompatible = page.get_by_test_id("ballot-incompatible")
    expect(incompatible).to_contain_text("Place du marché")
    for _, title in proposals:
        expect(incompatible).to_contain_text(title)
    page.get_by_test_id("edit-settings").click()
    expect(page.locator("#min_project_score")).to_have_value("3")
    expect(page.locator("#incompatible-0-name")).to_have_value("Place du marché")
    assert_accessible(page)
