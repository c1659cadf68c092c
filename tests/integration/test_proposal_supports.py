"""Supports: one per resident per proposal (enforced by the database), removable, audited, only when accepted, only
by confirmed and verified residents of the proposal's neighbourhood, only in the supports window; the shortlist
counts only valid supports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.factories import browser_login, post_form
from tests.proposal_factories import audit_of, auth, counts, insert_proposal, make_ballot, make_cast, quick_account
from voting.calendar.models import ProcessPhase
from voting.proposals.models import ProposalSupport

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
async def no_calendar(db_session):
    """Other tests commit the demo city (its calendar closes supports) into the shared database: each test here
    starts from a city with no calendar, inside its own rolled-back transaction."""
    await db_session.exec(text("DELETE FROM process_phase"))


async def test_support_once_then_remove(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    path = f"/api/v1/proposals/{proposal.id}/support"
    neighbour, citizen = await auth(client, cast.neighbour), await auth(client, cast.citizen)
    assert (await client.put(path, headers=neighbour)).json() == {"proposal_id": proposal.id, "supports": 1,
                                                                  "supported": True}
    assert (await client.put(path, headers=neighbour)).json()["supports"] == 1
    assert (await client.put(path, headers=citizen)).json()["supports"] == 2
    listed = (await client.get(f"/api/v1/proposals/{proposal.id}")).json()
    assert listed["supports"] == 2
    assert (await client.delete(path, headers=neighbour)).json() == {"proposal_id": proposal.id, "supports": 1,
                                                                     "supported": False}
    assert (await client.delete(path, headers=neighbour)).json()["supports"] == 1
    actions = [e.action for e in await audit_of(db_session, f"proposal:{proposal.id}")]
    assert actions == ["proposal.supported", "proposal.supported", "proposal.support_removed"]


@pytest.mark.parametrize("status", ["submitted", "rejected", "changes_requested", "withdrawn"])
async def test_only_accepted_proposals_can_be_supported(client, db_session, status):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen, status=status)
    headers = await auth(client, cast.neighbour)
    before = await counts(db_session)
    response = await client.put(f"/api/v1/proposals/{proposal.id}/support", headers=headers)
    assert response.status_code == 409
    assert response.json()["detail"] == "Only accepted proposals can be supported."
    assert await counts(db_session) == before


async def test_drafts_and_unknown_proposals_are_404_and_anonymous_is_401(client, db_session):
    cast = await make_cast(db_session)
    draft = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    headers = await auth(client, cast.neighbour)
    assert (await client.put(f"/api/v1/proposals/{draft.id}/support", headers=headers)).status_code == 404
    assert (await client.put("/api/v1/proposals/99999999/support", headers=headers)).status_code == 404
    assert (await client.put(f"/api/v1/proposals/{draft.id}/support")).status_code == 401


async def test_the_database_refuses_a_second_support(db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    insert = text("INSERT INTO proposal_support (proposal_id, account_id) VALUES (:p, :a)")
    await db_session.exec(insert.bindparams(p=proposal.id, a=cast.neighbour.id))
    with pytest.raises(IntegrityError):
        async with db_session.begin_nested():
            await db_session.exec(insert.bindparams(p=proposal.id, a=cast.neighbour.id))


async def set_supports_window(db_session, hood, starts, ends):
    db_session.add(ProcessPhase(neighbourhood_id=hood.id if hood else None, phase="supports", starts_at=starts,
                                ends_at=ends))
    await db_session.flush()


@pytest.mark.parametrize(("changes", "words"), [
    ({"email_confirmed": False}, "Confirm your e-mail address before supporting proposals"),
    ({"verified": False}, "Verify your residence before supporting proposals"),
    ({"elsewhere": True}, "Only residents of this proposal's neighbourhood can support it."),
    ({"homeless": True}, "Only residents of this proposal's neighbourhood can support it."),
])
async def test_only_confirmed_verified_residents_of_the_neighbourhood_support(client, db_session, changes, words):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    home = cast.other_hood if changes.pop("elsewhere", False) else None if changes.pop("homeless", False) else cast.hood
    headers = await auth(client, await quick_account(db_session, home=home, **changes))
    before = await counts(db_session)
    answer = await client.put(f"/api/v1/proposals/{proposal.id}/support", headers=headers)
    assert answer.status_code == 403, answer.text
    assert answer.json()["detail"].startswith(words)
    assert await counts(db_session) == before
    assert (await client.get(f"/api/v1/proposals/{proposal.id}")).json()["supports"] == 0


async def test_refusals_are_in_french(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    headers = {**await auth(client, await quick_account(db_session, home=cast.other_hood)), "Accept-Language": "fr"}
    answer = await client.put(f"/api/v1/proposals/{proposal.id}/support", headers=headers)
    assert answer.json()["detail"] == "Seuls les habitants du quartier de cette proposition peuvent la soutenir."


async def test_supports_open_only_in_the_window_of_the_neighbourhood_or_else_the_city(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    path, headers = f"/api/v1/proposals/{proposal.id}/support", await auth(client, cast.neighbour)
    now = datetime.now(UTC)
    await set_supports_window(db_session, None, now - timedelta(days=10), now - timedelta(days=1))
    before = await counts(db_session)
    over = await client.put(path, headers=headers)
    assert over.status_code == 409 and over.json()["detail"].startswith("Supports for this neighbourhood closed on")
    assert await counts(db_session) == before
    await set_supports_window(db_session, cast.hood, now + timedelta(days=1), now + timedelta(days=9))
    early = await client.put(path, headers=headers)
    assert early.status_code == 409 and early.json()["detail"].startswith("Supports for this neighbourhood open on")
    await db_session.exec(text("UPDATE process_phase SET starts_at = now() - interval '1 hour' "
                               "WHERE neighbourhood_id = :hood").bindparams(hood=cast.hood.id))
    assert (await client.put(path, headers=headers)).json()["supports"] == 1
    # Once the window closes, a support can no longer be taken back either: the counts are final.
    await db_session.exec(text("UPDATE process_phase SET ends_at = now() - interval '1 minute', "
                               "starts_at = now() - interval '2 hours' WHERE neighbourhood_id = :hood")
                          .bindparams(hood=cast.hood.id))
    assert (await client.delete(path, headers=headers)).status_code == 409
    assert (await client.get(f"/api/v1/proposals/{proposal.id}")).json()["supports"] == 1


async def test_the_support_page_refuses_with_the_reason(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    outsider = await quick_account(db_session, home=cast.other_hood)
    await browser_login(client, outsider.email)
    answer = await post_form(client, f"/proposals/{proposal.id}/support", {}, headers={"accept-language": "en"})
    assert answer.status_code == 403 and "Only residents of this proposal" in answer.text


async def test_the_shortlist_counts_only_valid_supports(client, db_session):
    """Five fresh accounts (unconfirmed, unverified, elsewhere, nowhere, disabled) cannot outrank two residents."""
    cast = await make_cast(db_session)
    bought, earned = (await insert_proposal(db_session, cast.hood, cast.citizen, cost=1000),
                      await insert_proposal(db_session, cast.hood, cast.citizen, cost=2000))
    fresh = [await quick_account(db_session, home=cast.hood, email_confirmed=False),
             await quick_account(db_session, home=cast.hood, verified=False),
             await quick_account(db_session, home=cast.other_hood),
             await quick_account(db_session),
             await quick_account(db_session, home=cast.hood)]
    fresh[-1].is_active = False
    db_session.add(fresh[-1])
    for account in fresh:  # written straight to the table: supports from before the checks, or by other means
        db_session.add(ProposalSupport(proposal_id=bought.id, account_id=account.id))
    for account in (cast.citizen, cast.neighbour):
        db_session.add(ProposalSupport(proposal_id=earned.id, account_id=account.id))
    await db_session.flush()
    ballot = await make_ballot(db_session, cast.hood)
    answer = await client.put(f"/api/v1/ballots/{ballot.id}/shortlist", json={"mode": "top", "n": 1},
                              headers=await auth(client, cast.moderator))
    assert answer.status_code == 200, answer.text
    assert [(e["proposal_id"], e["supports"]) for e in answer.json()["entries"]] == [(earned.id, 2)]
    least = await client.put(f"/api/v1/ballots/{ballot.id}/shortlist", json={"mode": "min_supports", "k": 1},
                             headers=await auth(client, cast.moderator))
    assert [e["proposal_id"] for e in least.json()["entries"]] == [earned.id]
