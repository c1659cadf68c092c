"""Blank votes over HTTP: the ballot setting, a 422 in the caller's language where not allowed, a blank vote cast
on the hot path counted in turnout and shown apart, out of the selection, and the signed export still verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.ballot_factories import make_open_ballot, make_voter
from tests.factories import bearer, make_account, make_neighbourhood
from voting.results.service import export_files
from voting.results.signing import public_keys_from_json
from voting.results.verify import verify_export

pytestmark = pytest.mark.anyio
EN, FR = {"accept-language": "en"}, {"accept-language": "fr"}


async def test_allow_blank_is_a_ballot_setting_validated_at_creation(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    headers = {**EN, **await bearer(client, moderator.email)}
    now = datetime.now(UTC)
    body = {"neighbourhood_id": hood.id, "title": "Budget blanc", "budget": 50_000, "vote_format": "approval",
            "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=3)).isoformat()}
    refused = await client.post("/api/v1/ballots", json={**body, "allow_blank": "maybe"}, headers=headers)
    assert refused.status_code == 400 and "allow_blank" in refused.text
    created = await client.post("/api/v1/ballots", json={**body, "allow_blank": True}, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["allow_blank"] is True
    changed = await client.patch(f"/api/v1/ballots/{created.json()['id']}", json={"allow_blank": False},
                                 headers=headers)
    assert changed.status_code == 200 and changed.json()["allow_blank"] is False


async def test_blank_votes_are_refused_where_not_allowed_in_the_callers_language(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, _ids = await make_open_ballot(db_session, hood, moderator, vote_format="approval", min_projects=0)
    voter = await make_voter(db_session, hood)
    url = f"/api/v1/ballots/{ballot.id}/votes"
    for language, words in ((EN, "does not accept blank votes"), (FR, "n’accepte pas le vote blanc")):
        for choice in ({"blank": True}, {"projects": []}):
            answer = await client.post(url, json=choice, headers={**language, **await bearer(client, voter.email)})
            assert answer.status_code == 422, answer.text
            assert [r["code"] for r in answer.json()["extra"]] == ["vote.blank_not_allowed"]
            assert words in answer.json()["extra"][0]["message"]


async def test_a_blank_vote_counts_in_turnout_apart_and_never_in_the_selection(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, ids = await make_open_ballot(db_session, hood, moderator, vote_format="approval", allow_blank=True)
    url = f"/api/v1/ballots/{ballot.id}/votes"
    for choice in ({"projects": [ids[0]]}, {"blank": True}, {"projects": []}):
        voter = await make_voter(db_session, hood)
        answer = await client.post(url, json=choice, headers={**EN, **await bearer(client, voter.email)})
        assert answer.status_code == 201, answer.text
    mixed = await client.post(url, json={"blank": True, "projects": [ids[1]]},
                              headers={**EN, **await bearer(client, (await make_voter(db_session, hood)).email)})
    assert mixed.status_code == 422 and mixed.json()["extra"][0]["code"] == "vote.blank_with_choice"
    headers = {**EN, **await bearer(client, moderator.email)}
    for target in ("closed", "tallied", "published"):
        moved = await client.post(f"/api/v1/ballots/{ballot.id}/transitions/{target}", headers=headers)
        assert moved.status_code == 200, moved.text
    assert (await client.get(f"/api/v1/ballots/{ballot.id}/turnout")).json()["votes"] == 3
    db_session.expunge_all()  # the factory's ballot object is stale: the requests moved it to "published"
    files = await export_files(db_session, None, ballot.id)
    document = __import__("json").loads(files["result.json"])
    assert document["votes_counted"] == 1 and document["blank_votes"] == 2
    assert {p["id"]: p["votes"] for p in document["projects"]} == {str(pid): int(pid == ids[0]) for pid in ids}
    assert document["selected"][0] == str(ids[0])
    assert verify_export(files, public_keys_from_json(files["keys.json"].decode())) == []
    page = await client.get(f"/ballots/{ballot.id}/results", headers=EN)
    assert page.status_code == 200 and "2 blank votes, counted in the turnout and apart" in page.text
    page = await client.get(f"/ballots/{ballot.id}/results", headers=FR)
    assert "2 votes blancs, comptés dans la participation et à part" in page.text


async def test_the_vote_page_offers_a_blank_vote_only_where_allowed(client, db_session):
    from tests.factories import browser_login, post_form

    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    plain, _ids = await make_open_ballot(db_session, hood, moderator)
    ballot, _ids = await make_open_ballot(db_session, hood, moderator, allow_blank=True)
    await browser_login(client, (await make_voter(db_session, hood)).email)
    assert 'data-testid="blank-button"' not in (await client.get(f"/ballots/{plain.id}/vote", headers=EN)).text
    page = await client.get(f"/ballots/{ballot.id}/vote", headers=FR)
    assert 'data-testid="blank-button"' in page.text and "Voter blanc" in page.text
    review = await post_form(client, f"/ballots/{ballot.id}/vote", {"action": "blank", "idempotency_key": "k-b"},
                             headers=EN)
    assert review.status_code == 200 and 'data-testid="review-blank"' in review.text
    assert 'name="blank" value="1"' in review.text
    cast = await post_form(client, f"/ballots/{ballot.id}/vote", {"blank": "1", "action": "vote",
                                                                  "idempotency_key": "k-b"}, headers=EN)
    assert cast.status_code == 200 and 'data-testid="receipt-code"' in cast.text
    refused = await post_form(client, f"/ballots/{plain.id}/vote", {"blank": "1", "action": "vote"}, headers=EN)
    assert refused.status_code == 422 and "does not accept blank votes" in refused.text
