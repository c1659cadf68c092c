"""In Chromium: a citizen votes on a new ballot; after the close, tally and publication, an auditor downloads the
exports from the results page, and the citizen finds their vote on the bulletin board by its receipt."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import login
from voting.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ACCOUNTS = {account.role: account for account in DEMO_ACCOUNTS}


def token(live_server, role: str) -> dict[str, str]:
    account = ACCOUNTS[role]
    response = httpx.post(f"{live_server.url}/api/v1/auth/token",
                          json={"email": account.email, "password": account.password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def new_open_ballot(live_server) -> int:
    """A fresh approval ballot in Centre – Jaude, opened by its moderator through the API."""
    moderator = token(live_server, "moderator")
    hood = next(h for h in httpx.get(f"{live_server.url}/api/v1/neighbourhoods").json() if h["slug"] == "centre-jaude")
    listing = httpx.get(f"{live_server.url}/api/v1/proposals/",
                        params={"status": "accepted", "neighbourhood_id": hood["id"], "per_page": 4}).json()
    now = datetime.now(UTC)
    created = httpx.post(f"{live_server.url}/api/v1/ballots/", headers=moderator, json={
        "neighbourhood_id": hood["id"], "title": "Budget vert – vote éclair", "budget": 60_000,
        "proposal_ids": [p["id"] for p in listing["items"]], "vote_format": "approval", "rule": "equalshares",
        "opens_at": (now - timedelta(minutes=1)).isoformat(), "closes_at": (now + timedelta(hours=1)).isoformat()})
    assert created.status_code == 201, created.text
    ballot_id: int = created.json()["id"]
    opened = httpx.post(f"{live_server.url}/api/v1/ballots/{ballot_id}/transitions/open", headers=moderator)
    assert opened.status_code == 200, opened.text
    return ballot_id


def test_auditor_downloads_exports_and_citizen_finds_their_vote(browser, live_server, page, tmp_path):
    ballot_id = new_open_ballot(live_server)

    login(page, ACCOUNTS["citizen"].email, ACCOUNTS["citizen"].password)
    page.goto(f"/ballots/{ballot_id}/vote")
    page.locator("input[name=projects]").first.check()
    page.get_by_role("button", name="Relire mon vote").click()  # the review step
    page.get_by_role("button", name="Voter").click()
    receipt = page.get_by_test_id("receipt-code").inner_text()
    assert re.fullmatch(r"[A-Z2-7-]{20,40}", receipt)

    moderator = token(live_server, "moderator")
    closed = httpx.post(f"{live_server.url}/api/v1/ballots/{ballot_id}/transitions/closed", headers=moderator)
    assert closed.status_code == 200, closed.text
    for step in ("tally", "publish"):
        done = live_server.cli("ballot", step, str(ballot_id))
        assert done.returncode == 0, done.stderr

    page.goto(f"/ballots/{ballot_id}/bulletin")
    page.fill("#receipt", receipt)
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_test_id("found")).to_contain_text("a été compté")
    assert page.get_by_test_id("my-vote").is_visible()
    assert "1 vote est compté pour 1 participant" in page.get_by_test_id("board-count").inner_text()

    auditor = browser.new_context(base_url=live_server.url, locale="en-GB", accept_downloads=True)
    tab = auditor.new_page()
    login(tab, ACCOUNTS["auditor"].email, ACCOUNTS["auditor"].password)
    tab.goto("/audit")
    tab.locator(f"tr[data-ballot='{ballot_id}']").get_by_role("link", name="Results").click()
    expect(tab.get_by_role("heading", name="Funded projects")).to_be_visible()
    assert tab.locator("main svg[role=img]").first.locator("title").first.text_content() == "Votes per project"
    saved = {}
    for name in ("result.csv", "election.pb", "election.pb.sig", "result.json", "result.json.sig", "bulletin.json",
                 "bulletin.json.sig", "result.csv.sig", "keys.json"):
        with tab.expect_download() as download:
            tab.locator(f"a[href='/ballots/{ballot_id}/exports/{name}']").click()
        assert download.value.suggested_filename == name  # saved as it comes, it keeps the name verify reads
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        saved[name] = target
    assert saved["result.csv"].read_text().startswith("project_id,name,cost,votes,score,selected,explanation")
    assert "rule;equalshares" in saved["election.pb"].read_text()
    verified = live_server.cli("verify", str(tmp_path), "--keys", str(saved["keys.json"]))
    assert verified.returncode == 0, verified.stderr
    with tab.expect_download() as bundle:
        tab.get_by_test_id("exports-zip").click()
    assert bundle.value.suggested_filename == f"ballot-{ballot_id}-exports.zip"
    auditor.close()
