"""Comments on a funded project's page (/building/N): written, reported and moderated like a proposal's."""

from __future__ import annotations

import pytest

from tests.factories import browser_login, post_form
from tests.proposal_factories import auth, insert_proposal, make_ballot, make_cast

pytestmark = pytest.mark.anyio
followup = pytest.importorskip("voting.followup.models", reason="the follow-up area is not in this tree")


async def test_a_funded_project_takes_comments(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    ballot = await make_ballot(db_session, cast.hood, status="published", proposals=[proposal])
    project = followup.FundedProject(ballot_id=ballot.id, proposal_id=proposal.id, neighbourhood_id=cast.hood.id,
                                     budget=10_000)
    db_session.add(project)
    await db_session.flush()

    made = await client.post(f"/api/v1/discussions/funded_project/{project.id}", json={"body": "When do we plant?"},
                             headers=await auth(client, cast.neighbour))
    assert made.status_code == 201, made.text
    await browser_login(client, cast.citizen.email)
    page = await client.get(f"/building/{project.id}")
    assert page.status_code == 200 and "When do we plant?" in page.text and 'id="comment-new"' in page.text
    reply = await post_form(client, f"/discussions/funded_project/{project.id}",
                            {"body": "In March.", "parent_id": str(made.json()["id"])})
    assert reply.headers["location"].startswith(f"/building/{project.id}#comment-")
    hidden = await client.post(f"/api/v1/comments/{made.json()['id']}/moderation",
                               json={"action": "hide", "reason": "Duplicate"},
                               headers=await auth(client, cast.moderator))
    assert hidden.status_code == 200
    elsewhere = await client.post(f"/api/v1/comments/{made.json()['id']}/moderation",
                                  json={"action": "restore", "reason": "No"},
                                  headers=await auth(client, cast.other_moderator))
    assert elsewhere.status_code == 403


async def test_a_project_of_an_unpublished_ballot_is_not_found(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    ballot = await make_ballot(db_session, cast.hood, status="closed", proposals=[proposal])
    project = followup.FundedProject(ballot_id=ballot.id, proposal_id=proposal.id, neighbourhood_id=cast.hood.id,
                                     budget=10_000)
    db_session.add(project)
    await db_session.flush()
    path = f"/api/v1/discussions/funded_project/{project.id}"
    assert (await client.get(path)).status_code == 404
    assert (await client.post(path, json={"body": "Hi"}, headers=await auth(client, cast.citizen))).status_code == 404
