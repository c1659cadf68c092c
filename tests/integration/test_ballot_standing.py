"""A resident's standing before voting, in GET /api/v1/ballots/{id}, on the ballot page and on the vote page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ballots.models import VoterRollEntry
from tests.ballot_factories import make_open_ballot, make_voter
from tests.factories import bearer, browser_login, make_account, make_neighbourhood

pytestmark = pytest.mark.anyio
EN = {"accept-language": "en"}
FR = {"accept-language": "fr"}


@pytest.fixture
async def city(db_session):
    hood = await make_neighbourhood(db_session)
    other = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, ids = await make_open_ballot(db_session, hood, moderator)
    residents = {
        "eligible": await make_voter(db_session, hood),
        "unconfirmed": await make_voter(db_session, hood, email_confirmed=False),
        "unverified": await make_voter(db_session, hood, verified=False),
        "elsewhere": await make_voter(db_session, other),
        "young": await make_voter(db_session, hood, born=date.today() - timedelta(days=365 * 15)),
        "homeless": await make_voter(db_session, None),
    }
    return {"hood": hood, "ballot": ballot, "ids": ids, "moderator": moderator, **residents}


EXPECTED = {
    "eligible": (True, [], "verified"),
    "unconfirmed": (False, [("eligibility.email", "/account")], "verified"),
    "unverified": (False, [("eligibility.verified", "/account/residence")], "declared"),
    "elsewhere": (False, [("eligibility.residence", None)], "verified"),
    "young": (False, [("eligibility.age", None)], "verified"),
    "homeless": (False, [("eligibility.residence_unknown", "/account")], None),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
async def test_the_api_tells_each_resident_where_they_stand(client, city, who):
    headers = {**EN, **await bearer(client, city[who].email)}
    answer = await client.get(f"/api/v1/ballots/{city['ballot'].id}", headers=headers)
    assert answer.status_code == 200, answer.text
    standing = answer.json()["standing"]
    can_vote, reasons, residence = EXPECTED[who]
    assert standing["can_vote"] is can_vote
    assert [(r["code"], r["fix_url"]) for r in standing["reasons"]] == reasons
    assert all(r["message"] for r in standing["reasons"])
    assert standing["residence"] == residence
    vote = await client.post(f"/api/v1/ballots/{city['ballot'].id}/votes", json={"projects": [city["ids"][0]]},
                             headers=headers)
    assert vote.status_code == (201 if can_vote else 403), vote.text  # the standing tells the truth


async def test_anonymous_callers_and_lists_have_no_standing(client, city):
    assert (await client.get(f"/api/v1/ballots/{city['ballot'].id}")).json()["standing"] is None
    headers = await bearer(client, city["eligible"].email)
    listed = (await client.get("/api/v1/ballots", headers=headers)).json()
    assert all(item["standing"] is None for item in listed)


async def test_the_standing_is_in_french_for_french_callers(client, city):
    headers = {**FR, **await bearer(client, city["unverified"].email)}
    standing = (await client.get(f"/api/v1/ballots/{city['ballot'].id}", headers=headers)).json()["standing"]
    assert standing["reasons"][0]["message"] == "Votre résidence n’a pas encore été vérifiée."


async def test_a_roll_ballot_looks_the_caller_up_on_its_roll(client, db_session, city):
    ballot, _ = await make_open_ballot(db_session, city["hood"], city["moderator"], requires_roll=True)
    on_roll, off_roll = city["eligible"], await make_voter(db_session, city["hood"])
    db_session.add(VoterRollEntry(ballot_id=ballot.id, email=on_roll.email, neighbourhood_id=city["hood"].id))
    await db_session.flush()
    mine = (await client.get(f"/api/v1/ballots/{ballot.id}",
                             headers=await bearer(client, on_roll.email))).json()["standing"]
    assert mine["can_vote"] and mine["residence"] == "roll" and mine["age"] == "verified"
    theirs = (await client.get(f"/api/v1/ballots/{ballot.id}",
                               headers={**EN, **await bearer(client, off_roll.email)})).json()["standing"]
    assert [r["code"] for r in theirs["reasons"]] == ["eligibility.roll"]


async def test_the_ballot_page_shows_the_vote_button_only_to_who_can_vote(client, city):
    ballot = city["ballot"]
    anonymous = await client.get(f"/ballots/{ballot.id}", headers=EN)
    assert 'data-testid="standing-login"' in anonymous.text and 'data-testid="vote-link"' not in anonymous.text
    await browser_login(client, city["eligible"].email)
    page = await client.get(f"/ballots/{ballot.id}", headers=EN)
    assert "You can vote" in page.text and 'data-testid="vote-link"' in page.text
    assert "verified" in page.text and city["hood"].name_en in page.text


@pytest.mark.parametrize(("who", "words", "link"), [
    ("unconfirmed", "Your e-mail address has not been confirmed yet.", 'href="/account"'),
    ("unverified", "Your residence has not been verified yet.", 'href="/account/residence"'),
    ("elsewhere", "You live in another neighbourhood", None),
    ("young", "You will be under 16 when voting closes", None),
])
async def test_pages_show_the_reasons_and_no_form_to_who_cannot_vote(client, city, who, words, link):
    ballot = city["ballot"]
    await browser_login(client, city[who].email)
    page = await client.get(f"/ballots/{ballot.id}", headers=EN)
    assert words in page.text and 'data-testid="vote-link"' not in page.text
    assert 'data-testid="standing-reasons"' in page.text
    if link:
        assert link in page.text
    vote_page = await client.get(f"/ballots/{ballot.id}/vote", headers=EN)
    assert vote_page.status_code == 403
    assert words in vote_page.text and 'id="vote-form"' not in vote_page.text and "Cast my vote" not in vote_page.text


async def test_the_vote_page_has_its_form_for_an_eligible_resident_and_declared_details_are_named(client, db_session,
                                                                                                  city):
    await browser_login(client, city["eligible"].email)
    page = await client.get(f"/ballots/{city['ballot'].id}/vote", headers=EN)
    assert page.status_code == 200 and 'id="vote-form"' in page.text
    client.cookies.clear()
    await browser_login(client, city["unverified"].email)
    shown = await client.get(f"/ballots/{city['ballot'].id}", headers=EN)
    assert "declared, not verified" in shown.text


async def test_a_refused_vote_from_the_page_shows_the_standing_not_the_form(client, city):
    from tests.factories import post_form

    await browser_login(client, city["elsewhere"].email)
    refused = await post_form(client, f"/ballots/{city['ballot'].id}/vote",
                              {"projects": str(city["ids"][0]), "action": "vote"}, headers=EN)
    assert refused.status_code == 403
    assert refused.text.count("You live in another neighbourhood") == 1 and 'id="vote-form"' not in refused.text
