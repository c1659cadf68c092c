"""In Chromium, as a citizen, on a ballot that allows it: "Vote blank", review it, cast it, get a receipt; axe-core
finds nothing on the vote and review pages."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from playwright.sync_api import expect

from tests.conftest import in_thread
from tests.web.conftest import assert_accessible, login
from voting.demo import BALLOT_TITLE, DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

CITIZEN = next(account for account in DEMO_ACCOUNTS if account.role == "citizen")
COLUMNS = ("neighbourhood_id, description, budget, status, opens_at, closes_at, vote_format, min_projects, "
           "max_projects, min_spend_percent, total_points, max_points_per_project, max_ranks, rule, tie_break, "
           "min_age, requires_roll, requires_residence, requires_verified")


def blank_ballot(database_url: str) -> int:
    """A copy of the demo's open ballot that allows blank votes (the demo's own ballot is left as it is)."""
    async def copy() -> int:
        connection = await asyncpg.connect(database_url)
        try:
            new = await connection.fetchval(
                f"INSERT INTO ballot (title, allow_blank, {COLUMNS}) SELECT 'Vote blanc possible', true, {COLUMNS} "  # noqa: S608
                "FROM ballot WHERE title = $1 RETURNING id", BALLOT_TITLE)
            await connection.execute(
                "INSERT INTO ballot_proposal (ballot_id, proposal_id, cost, position) SELECT $1, p.proposal_id, "
                "p.cost, p.position FROM ballot_proposal p JOIN ballot b ON b.id = p.ballot_id WHERE b.title = $2",
                new, BALLOT_TITLE)
            return int(new)
        finally:
            await connection.close()

    return in_thread(asyncio.run, copy())


def test_citizen_votes_blank(page, live_server):
    ballot_id = blank_ballot(live_server.env["DATABASE_URL"])
    login(page, CITIZEN.email, CITIZEN.password)
    page.goto(f"/ballots/{ballot_id}/vote")
    assert_accessible(page)
    page.get_by_test_id("blank-button").click()
    expect(page.get_by_test_id("review-blank")).to_contain_text("vote blanc")
    assert_accessible(page)
    page.get_by_role("button", name="Voter").click()
    expect(page.get_by_test_id("receipt-code")).to_be_visible()
