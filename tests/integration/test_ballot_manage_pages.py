"""The manage-ballot page over HTTP: only the moves allowed now, a confirmation step before close, cancel and
publish, and a refused move coming back to the page with its reason."""

from __future__ import annotations

import re

import pytest

from tests.ballot_factories import make_open_ballot
from tests.factories import browser_login, make_account, make_neighbourhood, post_form

pytestmark = pytest.mark.anyio
EN = {"accept-language": "en"}


def offered(html: str) -> list[str]:
    return re.findall(r'data-testid="to-([a-z]+)"', html)


async def test_the_page_offers_only_what_is_allowed_and_close_needs_a_confirmation(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, _ = await make_open_ballot(db_session, hood, moderator)
    await browser_login(client, moderator.email)
    shown = await client.get(f"/ballots/{ballot.id}", headers=EN)
    assert f'href="/ballots/{ballot.id}/manage"' in shown.text
    page = await client.get(f"/ballots/{ballot.id}/manage", headers=EN)
    assert page.status_code == 200 and offered(page.text) == ["closed", "cancelled"]
    asked = await post_form(client, f"/ballots/{ballot.id}/status", {"to": "closed"}, headers=EN)
    assert asked.status_code == 200 and 'data-testid="confirm"' in asked.text  # not closed yet
    assert offered((await client.get(f"/ballots/{ballot.id}/manage", headers=EN)).text) == ["closed", "cancelled"]
    confirm = await client.get(f"/ballots/{ballot.id}/manage/confirm?to=closed", headers=EN)
    assert confirm.status_code == 200 and "Yes, close voting" in confirm.text and "No, go back" in confirm.text
    closed = await post_form(client, f"/ballots/{ballot.id}/status", {"to": "closed", "confirm": "yes"}, headers=EN)
    assert closed.status_code in (302, 303), closed.text
    assert offered((await client.get(f"/ballots/{ballot.id}/manage", headers=EN)).text) == ["tallied"]


async def test_a_refused_move_comes_back_to_the_page_with_the_reason(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, _ = await make_open_ballot(db_session, hood, moderator)
    await browser_login(client, moderator.email)
    refused = await post_form(client, f"/ballots/{ballot.id}/status", {"to": "published", "confirm": "yes"},
                              headers=EN)
    assert refused.status_code == 409
    assert "A ballot cannot go from open to published." in refused.text
    assert 'data-testid="manage"' in refused.text and offered(refused.text) == ["closed", "cancelled"]
    stale = await client.get(f"/ballots/{ballot.id}/manage/confirm?to=published", headers=EN)
    assert stale.status_code == 409 and 'data-testid="manage"' in stale.text
    no_reason = await post_form(client, f"/ballots/{ballot.id}/status", {"to": "cancelled", "confirm": "yes"},
                                headers=EN)
    assert no_reason.status_code in (409, 422) and "Give a reason to cancel a ballot." in no_reason.text
    assert 'name="reason"' in no_reason.text  # the confirmation again, to type it
    cancelled = await post_form(client, f"/ballots/{ballot.id}/status",
                                {"to": "cancelled", "confirm": "yes", "reason": "Doublon"}, headers=EN)
    assert cancelled.status_code in (302, 303)
    assert offered((await client.get(f"/ballots/{ballot.id}/manage", headers=EN)).text) == []


async def test_another_neighbourhoods_moderator_cannot_manage(client, db_session):
    hood, other = await make_neighbourhood(db_session), await make_neighbourhood(db_session)
    owner = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    stranger = await make_account(db_session, "moderator", neighbourhoods=[other.slug])
    ballot, _ = await make_open_ballot(db_session, hood, owner)
    await browser_login(client, stranger.email)
    assert (await client.get(f"/ballots/{ballot.id}/manage", headers=EN)).status_code == 403
    refused = await post_form(client, f"/ballots/{ballot.id}/status", {"to": "closed", "confirm": "yes"}, headers=EN)
    assert refused.status_code == 403


async def test_a_refused_new_ballot_keeps_what_was_typed(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    await browser_login(client, moderator.email)
    refused = await post_form(client, "/ballots/new", {
        "neighbourhood_id": str(hood.id), "title": "Jardins partagés 2030", "description": "Au pied des immeubles",
        "budget": "0", "opens_at": "2030-03-01T08:00", "closes_at": "2030-03-20T20:00", "min_age": "0",
        "requires_roll": "on"}, headers=EN)
    assert refused.status_code == 422
    for kept in ('value="Jardins partagés 2030"', ">Au pied des immeubles</textarea>", 'value="2030-03-01T08:00"',
                 'value="2030-03-20T20:00"', 'id="min_age" name="min_age" type="number" min="0" value="0"'):
        assert kept in refused.text, kept
    assert re.search(r'id="requires_roll" name="requires_roll" checked', refused.text)
    assert not re.search(r'id="requires_verified" name="requires_verified" checked', refused.text)
