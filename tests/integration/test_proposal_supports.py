"""Supports: one per citizen per proposal (enforced by the database), removable, audited, only when accepted."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.proposal_factories import audit_of, auth, counts, insert_proposal, make_cast

pytestmark = pytest.mark.anyio


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
