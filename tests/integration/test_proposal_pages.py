"""The proposal pages over HTTP: form with photo, review buttons, supports, queue, shortlist, escaping."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from ballots.models import BallotProposal
from tests.factories import browser_login, post_form
from tests.proposal_factories import PNG, audit_of, counts, insert_proposal, make_ballot, make_cast
from voting.proposals.models import Proposal

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
async def no_calendar(db_session):
    """Other tests commit the demo city (its calendar closes supports) into the shared database: each test here
    starts from a city with no calendar, inside its own rolled-back transaction."""
    await db_session.exec(text("DELETE FROM process_phase"))


@pytest.fixture(autouse=True)
def english(client):
    client.headers["Accept-Language"] = "en"


def form(hood, **changes):
    return {"title": "Cherry trees", "summary": "Forty cherry trees.", "description": "Line one\n\nSee https://ex.org",
            "category": "fruit-trees", "neighbourhood_id": str(hood.id), "estimated_cost": "24 500",
            "address": "", "latitude": "", "longitude": "", "community": "", "intent": "submit", **changes}


async def test_submit_through_the_form_with_a_photo(client, db_session):
    cast = await make_cast(db_session)
    await browser_login(client, cast.citizen.email)
    assert (await client.get("/proposals/new")).status_code == 200
    response = await post_form(client, "/proposals/new", form(cast.hood),
                               files={"photo": ("garden.jpg", PNG, "image/jpeg")})
    assert response.status_code in (301, 302, 303), response.text
    pid = int(response.headers["location"].rsplit("/", 1)[1])
    proposal = await db_session.get(Proposal, pid)
    assert (proposal.status, proposal.estimated_cost) == ("submitted", 24_500)
    page = await client.get(f"/proposals/{pid}")
    assert f'src="/proposals/{pid}/photo"' in page.text
    assert '<a rel="nofollow noopener" href="https://ex.org">' in page.text
    assert (await client.get(f"/proposals/{pid}/photo")).headers["content-type"] == "image/png"
    assert [e.action for e in await audit_of(db_session, f"proposal:{pid}")] == [
        "proposal.created", "proposal.photo_set", "proposal.submitted"]


async def test_an_empty_file_field_is_no_photo(client, db_session):
    cast = await make_cast(db_session)
    await browser_login(client, cast.citizen.email)
    response = await post_form(client, "/proposals/new", form(cast.hood, intent="draft"),
                               files={"photo": ("", b"", "application/octet-stream")})
    assert response.status_code in (302, 303), response.text


@pytest.mark.parametrize(("changes", "files", "status", "message"), [
    ({"estimated_cost": "0"}, None, 422, "Estimated cost must be a positive number of euros."),
    ({"estimated_cost": "lots"}, None, 422, "Estimated cost must be a whole number."),
    ({"title": ""}, None, 422, "Title is required."),
    ({"neighbourhood_id": "999999"}, None, 422, "Unknown neighbourhood 999999."),
    ({}, {"photo": ("fake.jpg", b"MZ\x90\x00 this is an executable", "image/jpeg")}, 422,
     "The photo must be a JPEG, PNG or WebP image."),
    ({}, {"photo": ("big.png", PNG + b"\x00" * (5 * 1024 * 1024), "image/png")}, 413, "larger than 5 MB"),
])
async def test_form_refusals_show_the_form_again_and_store_nothing(client, db_session, changes, files, status,
                                                                     message):
    cast = await make_cast(db_session)
    await browser_login(client, cast.citizen.email)
    before = await counts(db_session)
    response = await post_form(client, "/proposals/new", form(cast.hood, **changes), files=files)
    assert response.status_code == status
    assert message in response.text
    assert 'value="Cherry trees"' in response.text or changes.get("title") == ""
    assert await counts(db_session) == before


async def test_script_payloads_are_shown_escaped(client, db_session):
    cast = await make_cast(db_session)
    payload = "<script>alert('pwned')</script>"
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen, title=payload, summary=payload,
                                     description=payload + "\n\n<img src=x onerror=alert(1)>", address=payload)
    for path in ("/proposals", f"/proposals/{proposal.id}", f"/proposals?q={payload}"):
        page = await client.get(path)
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
    assert "&lt;script&gt;alert(" in (await client.get(f"/proposals/{proposal.id}")).text


async def test_moderator_reviews_from_the_page_and_the_proposer_sees_the_message(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")
    await browser_login(client, cast.moderator.email)
    page = await client.get(f"/proposals/{proposal.id}")
    assert 'data-testid="review"' in page.text
    queue = await client.get("/proposals/review")
    assert proposal.title in queue.text
    response = await post_form(client, f"/proposals/{proposal.id}/transition",
                               {"action": "request_changes", "message": "Which street exactly?"})
    assert response.status_code in (302, 303)
    refused = await post_form(client, f"/proposals/{proposal.id}/transition",
                              {"action": "accept", "message": "ok", "validated_cost": "12"})
    assert refused.status_code == 409
    await client.post("/logout", headers={"x-csrftoken": client.cookies["csrftoken"]})
    client.cookies.clear()
    await browser_login(client, cast.citizen.email)
    mine = await client.get("/proposals/mine")
    assert "Which street exactly?" in mine.text
    assert "Changes requested" in mine.text


async def test_citizens_and_other_moderators_get_403_pages(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")
    await browser_login(client, cast.other_moderator.email)
    assert 'data-testid="review"' not in (await client.get(f"/proposals/{proposal.id}")).text
    response = await post_form(client, f"/proposals/{proposal.id}/transition",
                               {"action": "accept", "message": "ok", "validated_cost": "12"})
    assert response.status_code == 403
    assert "Only a moderator of this neighbourhood" in response.text
    client.cookies.clear()
    await browser_login(client, cast.neighbour.email)
    assert (await client.get("/proposals/review")).status_code == 403


async def test_support_and_remove_support_from_the_page(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    await browser_login(client, cast.neighbour.email)
    assert (await post_form(client, f"/proposals/{proposal.id}/support", {})).status_code in (302, 303)
    page = await client.get(f"/proposals/{proposal.id}")
    assert "1 support" in page.text and "Remove my support" in page.text
    assert (await post_form(client, f"/proposals/{proposal.id}/unsupport", {})).status_code in (302, 303)
    assert "0 supports" in (await client.get(f"/proposals/{proposal.id}")).text


async def test_list_filters_search_and_pagination(client, db_session):
    cast = await make_cast(db_session)
    for index in range(23):
        await insert_proposal(db_session, cast.hood, cast.citizen, title=f"Bench {index}", category="other")
    await insert_proposal(db_session, cast.hood, cast.citizen, title="Secret draft", status="draft")
    first = await client.get(f"/proposals?neighbourhood={cast.hood.id}&category=other")
    assert "23 proposals" in first.text and "Page 1 of 2" in first.text
    assert "Secret draft" not in first.text
    second = await client.get(f"/proposals?neighbourhood={cast.hood.id}&category=other&page=2")
    assert second.text.count('class="card proposal"') == 3
    assert (await client.get("/proposals?neighbourhood=abc")).status_code == 422
    assert (await client.get("/proposals?status=bogus")).status_code == 422


async def test_shortlist_page(client, db_session):
    cast = await make_cast(db_session)
    first = await insert_proposal(db_session, cast.hood, cast.citizen, cost=4000)
    second = await insert_proposal(db_session, cast.hood, cast.citizen, cost=6000)
    ballot = await make_ballot(db_session, cast.hood)
    await browser_login(client, cast.moderator.email)
    page = await client.get(f"/ballots/{ballot.id}/shortlist")
    assert first.title in page.text and second.title in page.text
    response = await post_form(client, f"/ballots/{ballot.id}/shortlist",
                               {"mode": "manual", "proposal_ids": [str(second.id), str(first.id)]})
    assert response.status_code in (302, 303), response.text
    rows = (await db_session.exec(select(BallotProposal).where(BallotProposal.ballot_id == ballot.id)
                                  .order_by(BallotProposal.position))).all()
    assert [(r.proposal_id, r.cost) for r in rows] == [(second.id, 6000), (first.id, 4000)]
    client.cookies.clear()
    await browser_login(client, cast.other_moderator.email)
    assert (await client.get(f"/ballots/{ballot.id}/shortlist")).status_code == 403
