"""A draft needs only a title; submitting it needs the rest, with the reasons beside the fields (FR/EN)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.factories import browser_login, post_form
from tests.proposal_factories import auth, make_cast
from voting.proposals.models import Proposal

pytestmark = pytest.mark.anyio

BARE = {"title": "Un verger partagé", "summary": "", "description": "", "category": "", "neighbourhood_id": "",
        "estimated_cost": "", "address": "", "latitude": "", "longitude": "", "community": "", "intent": "draft"}


@pytest.fixture(autouse=True)
async def no_calendar(db_session):
    await db_session.exec(text("DELETE FROM process_phase"))


def beside(page: str, field: str) -> str:
    found = re.search(rf'<div id="{field}-messages" class="field-messages">(.*?)</div>', page, re.S)
    return found.group(1) if found else ""


async def test_save_as_draft_with_only_a_title_then_submit_asks_for_the_rest(client, db_session):
    cast = await make_cast(db_session)
    await browser_login(client, cast.citizen.email)
    client.headers["Accept-Language"] = "en"
    saved = await post_form(client, "/proposals/new", BARE)
    assert saved.status_code in (302, 303), saved.text
    pid = int(saved.headers["location"].rsplit("/", 1)[1])
    draft = await db_session.get(Proposal, pid)
    assert (draft.status, draft.category, draft.neighbourhood_id, draft.estimated_cost) == ("draft", None, None, None)
    # the pages that show it to its author cope with what it lacks
    shown = await client.get(f"/proposals/{pid}")
    assert shown.status_code == 200 and "Not given yet" in shown.text and "No neighbourhood yet" in shown.text
    mine = await client.get("/proposals/mine")
    assert mine.status_code == 200 and "Un verger partagé" in mine.text and "No neighbourhood yet" in mine.text
    assert (await client.get(f"/proposals/{pid}/edit")).status_code == 200
    assert "Un verger partagé" not in (await client.get("/proposals")).text
    # submitting from the form: the reasons beside the fields, what was typed kept
    refused = await post_form(client, f"/proposals/{pid}/edit", {**BARE, "summary": "Des pommiers", "intent": "submit"})
    assert refused.status_code == 422
    assert "Category is required." in beside(refused.text, "category")
    assert "Estimated cost is required." in beside(refused.text, "estimated_cost")
    assert "Neighbourhood is required." in beside(refused.text, "neighbourhood_id")
    assert beside(refused.text, "summary") == "" and "Des pommiers" in refused.text
    assert 'aria-describedby="category-messages"' in refused.text
    # submitting from the proposal's page: its form again, in French
    client.headers["Accept-Language"] = "fr"
    again = await post_form(client, f"/proposals/{pid}/transition", {"action": "submit"})
    assert again.status_code == 422
    assert "Catégorie est obligatoire." in beside(again.text, "category"), again.text
    assert "Résumé" in beside(again.text, "summary")
    await db_session.refresh(draft)
    assert draft.status == "draft"
    # completed, it is submitted
    client.headers["Accept-Language"] = "en"
    done = await post_form(client, f"/proposals/{pid}/edit", {
        **BARE, "summary": "Des pommiers", "category": "fruit-trees", "neighbourhood_id": str(cast.hood.id),
        "estimated_cost": "12 000", "intent": "submit"})
    assert done.status_code in (302, 303), done.text
    await db_session.refresh(draft)
    assert (draft.status, draft.estimated_cost) == ("submitted", 12_000)


async def test_only_the_author_sees_a_bare_draft(client, db_session):
    cast = await make_cast(db_session)
    await browser_login(client, cast.citizen.email)
    pid = int((await post_form(client, "/proposals/new", BARE)).headers["location"].rsplit("/", 1)[1])
    client.cookies.clear()
    assert (await client.get(f"/proposals/{pid}")).status_code == 404
    await browser_login(client, cast.moderator.email)  # the citizen's neighbourhood's moderator: no neighbourhood
    assert (await client.get(f"/proposals/{pid}")).status_code == 404
    client.cookies.clear()
    await browser_login(client, cast.neighbour.email)
    assert (await client.get(f"/proposals/{pid}")).status_code == 404
    # withdrawn, a bare draft is listed like any withdrawn proposal, with what it lacks said in words
    client.cookies.clear()
    await browser_login(client, cast.citizen.email)
    client.headers["Accept-Language"] = "en"
    assert (await post_form(client, f"/proposals/{pid}/transition", {"action": "withdraw"})).status_code in (302, 303)
    listed = await client.get("/proposals?status=withdrawn")
    assert listed.status_code == 200 and f'data-testid="proposal-{pid}"' in listed.text
    assert "No neighbourhood yet" in listed.text and "No category yet" in listed.text
    assert (await client.get(f"/api/v1/proposals/{pid}")).json()["neighbourhood_id"] is None


async def test_the_api_takes_a_draft_with_only_a_title(client, db_session):
    cast = await make_cast(db_session)
    headers = await auth(client, cast.citizen)
    created = await client.post("/api/v1/proposals", json={"title": "Bancs"}, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["status"], body["category"], body["neighbourhood_id"], body["estimated_cost"]) == (
        "draft", None, None, None)
    mine = await client.get("/api/v1/proposals/mine", headers=headers)
    assert [p["id"] for p in mine.json()] == [body["id"]]
    exported = (await client.get("/api/v1/account/data", headers=headers)).json()["proposals"]
    assert [(p["title"], p["neighbourhood"]) for p in exported] == [("Bancs", None)]  # the author's data has it
    refused = await client.post(f"/api/v1/proposals/{body['id']}/transitions", json={"action": "submit"},
                                headers=headers)
    assert refused.status_code == 422 and "Category is required." in refused.text, refused.text
    at_once = await client.post("/api/v1/proposals", json={"title": "Bancs", "submit": True}, headers=headers)
    assert at_once.status_code == 422 and "Summary is required." in at_once.text
    assert (await client.post("/api/v1/proposals", json={"title": " "}, headers=headers)).status_code == 422
