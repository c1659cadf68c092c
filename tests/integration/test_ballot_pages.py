"""The ballot pages over HTTP: vote without JavaScript (total check, refusal, receipt), manage, roll, paper."""

from __future__ import annotations

import re

import pytest

from tests.ballot_factories import make_open_ballot, make_proposal, make_voter
from tests.factories import browser_login, make_account, make_neighbourhood, post_form

pytestmark = pytest.mark.anyio
EN = {"accept-language": "en"}


async def test_vote_without_javascript_then_check_the_receipt(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, ids = await make_open_ballot(db_session, hood, moderator)
    voter = await make_voter(db_session, hood)
    await browser_login(client, voter.email)
    listing = await client.get("/ballots", headers=EN)
    assert ballot.title in listing.text
    shown = await client.get(f"/ballots/{ballot.id}", headers=EN)
    assert 'data-testid="vote-link"' in shown.text and 'data-testid="manage"' not in shown.text
    form = await client.get(f"/ballots/{ballot.id}/vote", headers=EN)
    assert form.status_code == 200 and "Check my total" in form.text
    total = await post_form(client, f"/ballots/{ballot.id}/vote",
                            {"projects": [str(ids[0]), str(ids[3])], "action": "check"}, headers=EN)  # type: ignore[dict-item]
    assert total.status_code == 200 and "Over budget" in total.text and "checked" in total.text
    refused = await post_form(client, f"/ballots/{ballot.id}/vote",
                              {"projects": [str(ids[0]), str(ids[3])], "action": "vote"}, headers=EN)  # type: ignore[dict-item]
    assert refused.status_code == 422 and "over the budget" in refused.text
    voted = await post_form(client, f"/ballots/{ballot.id}/vote",
                            {"projects": [str(ids[0]), str(ids[1])], "action": "vote", "idempotency_key": "x1"},
                            headers=EN)  # type: ignore[dict-item]
    assert voted.status_code == 200, voted.text
    code = re.search(r'data-testid="receipt-code"[^>]*>([A-Z2-7-]+)<', voted.text).group(1)  # type: ignore[union-attr]
    checked = await post_form(client, "/receipts", {"code": code}, headers=EN)
    assert "Recorded: this is your current vote." in checked.text
    unknown = await post_form(client, "/receipts", {"code": "nope"}, headers=EN)
    assert unknown.status_code == 404


async def test_moderator_creates_opens_imports_and_enters_paper_votes(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    proposal = await make_proposal(db_session, hood, moderator, 20_000)
    await browser_login(client, moderator.email)
    assert (await client.get("/ballots/new", headers=EN)).status_code == 200
    bad = await post_form(client, "/ballots/new", {"title": "x", "budget": "0", "opens_at": "", "closes_at": ""},
                          headers=EN)
    assert bad.status_code == 422
    created = await post_form(client, "/ballots/new", {
        "neighbourhood_id": str(hood.id), "title": "Budget vert test", "budget": "50000",
        "proposal_ids": str(proposal.id), "vote_format": "knapsack", "rule": "greedy",
        "opens_at": "2020-01-01T00:00", "closes_at": "2099-01-01T00:00", "requires_residence": "on",
        "requires_roll": "on", "min_age": "16"}, headers=EN)
    assert created.status_code in (302, 303), created.text
    path = created.headers["location"]
    opened = await post_form(client, f"{path}/status", {"to": "open"}, headers=EN)
    assert opened.status_code in (302, 303)
    voter = await make_voter(db_session, hood)
    roll = await post_form(client, f"{path}/roll", {"text": f"email\n{voter.email}\nnot-an-email\n"}, headers=EN)
    assert roll.status_code == 200 and "1 row accepted" in roll.text and "invalid email" in roll.text
    refused = await post_form(client, f"{path}/paper", {"voter": voter.email, "projects": str(proposal.id)},
                              headers=EN)
    assert refused.status_code == 403  # a moderator is not a poll officer
    officer = await make_account(db_session, "poll_officer", neighbourhoods=[hood.slug])
    await browser_login(client, officer.email)
    paper = await post_form(client, f"{path}/paper", {"voter": voter.email, "projects": str(proposal.id)},
                            headers=EN)
    assert paper.status_code == 200 and 'data-testid="paper-receipts"' in paper.text
    twice = await post_form(client, f"{path}/paper", {"voter": voter.email, "projects": str(proposal.id)},
                            headers=EN)
    assert twice.status_code == 409 and "already recorded" in twice.text
    page = await client.get(path, headers=EN)
    assert "1 vote cast" in page.text and "paper: 1" in page.text
    await browser_login(client, moderator.email)
    forbidden = await post_form(client, f"{path}/status", {"to": "published"}, headers=EN)
    assert forbidden.status_code == 409
