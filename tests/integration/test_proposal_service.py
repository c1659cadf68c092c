"""Every workflow transition and refusal over HTTP, with the audit entries each one writes (or does not)."""

from __future__ import annotations

import pytest

from tests.proposal_factories import audit_of, auth, counts, insert_proposal, make_ballot, make_cast, proposal_body
from voting.proposals.models import Proposal

pytestmark = pytest.mark.anyio

API = "/api/v1/proposals"


async def post_action(client, headers, proposal_id, action, **body):
    return await client.post(f"{API}/{proposal_id}/transitions", json={"action": action, **body}, headers=headers)


async def test_full_review_cycle_with_audit_trail(client, db_session):
    cast = await make_cast(db_session)
    citizen, moderator = await auth(client, cast.citizen), await auth(client, cast.moderator)
    created = await client.post(API, json=proposal_body(cast.hood), headers=citizen)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    assert created.json()["status"] == "draft"

    submitted = await post_action(client, citizen, pid, "submit")
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_at"]

    changes = await post_action(client, moderator, pid, "request_changes", message="Say which trees, please.")
    assert changes.json()["status"] == "changes_requested"
    mine = (await client.get(f"{API}/mine", headers=citizen)).json()
    assert [(p["id"], p["status"], p["moderator_message"]) for p in mine] == [
        (pid, "changes_requested", "Say which trees, please.")]

    edited = await client.put(f"{API}/{pid}", json=proposal_body(cast.hood, summary="Six apple, six pear trees."),
                              headers=citizen)
    assert edited.status_code == 200, edited.text
    assert edited.json()["summary"] == "Six apple, six pear trees."
    assert (await post_action(client, citizen, pid, "submit")).json()["status"] == "submitted"

    accepted = await post_action(client, moderator, pid, "accept", validated_cost=17_000,
                                 message="Parks department agrees.")
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert (body["status"], body["validated_cost"], body["feasibility_note"]) == (
        "accepted", 17_000, "Parks department agrees.")

    entries = await audit_of(db_session, f"proposal:{pid}")
    assert [e.action for e in entries] == ["proposal.created", "proposal.submitted", "proposal.changes_requested",
                                           "proposal.edited", "proposal.submitted", "proposal.accepted"]
    assert entries[2].data == {"from": "submitted", "to": "changes_requested", "message": "Say which trees, please."}
    assert entries[3].data == {"fields": ["summary"]}
    assert entries[5].data["validated_cost"] == 17_000
    assert entries[1].actor == f"account:{cast.citizen.id}"
    assert entries[5].actor == f"account:{cast.moderator.id}"
    history = (await client.get(f"{API}/{pid}/history", headers=citizen)).json()
    assert [h["action"] for h in history] == [e.action for e in entries]


async def test_reject_needs_a_reason_the_proposer_sees(client, db_session):
    cast = await make_cast(db_session)
    citizen, moderator = await auth(client, cast.citizen), await auth(client, cast.moderator)
    pid = (await client.post(API, json={**proposal_body(cast.hood), "submit": True}, headers=citizen)).json()["id"]
    before = await counts(db_session)
    refused = await post_action(client, moderator, pid, "reject", message="  ")
    assert refused.status_code == 422
    assert refused.json()["extra"] == ["Reason for rejection is required."]
    assert await counts(db_session) == before
    rejected = await post_action(client, moderator, pid, "reject", message="This land belongs to the railway.")
    assert rejected.json()["status"] == "rejected"
    mine = (await client.get(f"{API}/mine", headers=citizen)).json()
    assert mine[0]["moderator_message"] == "This land belongs to the railway."
    assert [e.action for e in await audit_of(db_session, f"proposal:{pid}")] == [
        "proposal.created", "proposal.submitted", "proposal.rejected"]


async def test_accept_needs_a_valid_cost_and_a_note(client, db_session):
    cast = await make_cast(db_session)
    pid = (await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")).id
    moderator = await auth(client, cast.moderator)
    before = await counts(db_session)
    for body, reason in [({"message": "ok"}, "Validated cost is required."),
                         ({"message": "ok", "validated_cost": 0}, "positive"),
                         ({"message": "ok", "validated_cost": 10_000_001}, "cannot be more than"),
                         ({"validated_cost": 5000}, "Feasibility note is required.")]:
        response = await post_action(client, moderator, pid, "accept", **body)
        assert response.status_code == 422
        assert reason in response.json()["extra"][0]
    assert await counts(db_session) == before
    assert (await db_session.get(Proposal, pid)).status == "submitted"


@pytest.mark.parametrize("start", ["draft", "submitted", "changes_requested", "accepted"])
async def test_proposer_withdraws_before_a_ballot_opens(client, db_session, start):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen, status=start)
    await make_ballot(db_session, cast.hood, status="draft", proposals=[proposal] if start == "accepted" else [])
    response = await post_action(client, await auth(client, cast.citizen), proposal.id, "withdraw")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    (entry,) = await audit_of(db_session, f"proposal:{proposal.id}")
    assert entry.action == "proposal.withdrawn"
    assert (entry.data["from"], entry.data["to"]) == (start, "withdrawn")


async def test_withdrawing_takes_the_proposal_off_draft_ballots(client, db_session):
    from sqlmodel import select

    from ballots.models import BallotProposal

    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    kept = await insert_proposal(db_session, cast.hood, cast.neighbour)
    ballot = await make_ballot(db_session, cast.hood, status="draft", proposals=[kept, proposal])
    response = await post_action(client, await auth(client, cast.citizen), proposal.id, "withdraw")
    assert response.json()["status"] == "withdrawn"
    rows = (await db_session.exec(select(BallotProposal.proposal_id).where(BallotProposal.ballot_id == ballot.id)))
    assert rows.all() == [kept.id]
    (entry,) = await audit_of(db_session, f"proposal:{proposal.id}")
    assert entry.data["removed_from_ballots"] == [ballot.id]


@pytest.mark.parametrize("ballot_status", ["open", "closed", "tallied", "published"])
async def test_withdrawal_is_refused_once_its_ballot_opened(client, db_session, ballot_status):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    await make_ballot(db_session, cast.hood, status=ballot_status, proposals=[proposal])
    headers = await auth(client, cast.citizen)
    before = await counts(db_session)
    response = await post_action(client, headers, proposal.id, "withdraw")
    assert response.status_code == 409
    assert "ballot" in response.json()["detail"]
    assert await counts(db_session) == before


async def test_withdrawal_is_allowed_when_the_ballot_was_cancelled(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    await make_ballot(db_session, cast.hood, status="cancelled", proposals=[proposal])
    response = await post_action(client, await auth(client, cast.citizen), proposal.id, "withdraw")
    assert response.json()["status"] == "withdrawn"


@pytest.mark.parametrize(("who", "action", "start", "status"), [
    ("citizen", "accept", "submitted", 403),            # the proposer cannot review
    ("neighbour", "accept", "submitted", 403),          # a citizen reviewing
    ("neighbour", "request_changes", "submitted", 403),
    ("other_moderator", "accept", "submitted", 403),    # a moderator of another neighbourhood
    ("other_moderator", "reject", "submitted", 403),
    ("moderator", "submit", "draft", 403),              # only the proposer submits
    ("moderator", "withdraw", "submitted", 403),        # only the proposer withdraws
    ("neighbour", "withdraw", "accepted", 403),
    ("moderator", "accept", "accepted", 409),           # wrong state
    ("moderator", "reject", "changes_requested", 409),
    ("citizen", "submit", "rejected", 409),
    ("citizen", "withdraw", "withdrawn", 409),
    ("citizen", "publish", "draft", 409),               # unknown action
])
async def test_refusals_change_nothing(client, db_session, who, action, start, status):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen, status=start)
    headers = await auth(client, getattr(cast, who))
    before = await counts(db_session)
    response = await post_action(client, headers, proposal.id, action, message="note", validated_cost=100)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert await counts(db_session) == before
    await db_session.refresh(proposal)
    assert proposal.status == start


async def test_a_moderator_cannot_review_their_own_proposal_but_admins_review_anywhere(client, db_session):
    cast = await make_cast(db_session)
    own = await insert_proposal(db_session, cast.hood, cast.moderator, status="submitted")
    refused = await post_action(client, await auth(client, cast.moderator), own.id, "accept", validated_cost=9,
                                message="fine")
    assert refused.status_code == 403
    admin = await auth(client, cast.admin)
    accepted = await post_action(client, admin, own.id, "accept", validated_cost=9, message="fine")
    assert accepted.json()["status"] == "accepted"


async def test_anonymous_is_401(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")
    assert (await client.post(f"{API}/{proposal.id}/transitions", json={"action": "accept"})).status_code == 401
    assert (await client.post(API, json=proposal_body(cast.hood))).status_code == 401


async def test_unknown_proposal_is_404(client, db_session):
    cast = await make_cast(db_session)
    response = await post_action(client, await auth(client, cast.citizen), 987654321, "submit")
    assert response.status_code == 404
