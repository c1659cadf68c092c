"""Building a draft ballot's shortlist: by hand, top N, at least K; scope, state and audit."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from ballots.models import BallotProposal
from tests.proposal_factories import audit_of, auth, counts, insert_proposal, make_ballot, make_cast, quick_account
from voting.proposals.models import ProposalSupport

pytestmark = pytest.mark.anyio


async def on_ballot(db_session, ballot_id):
    rows = await db_session.exec(select(BallotProposal).where(BallotProposal.ballot_id == ballot_id)
                                 .order_by(col(BallotProposal.position)))
    return [(row.proposal_id, row.cost) for row in rows]


async def setup(db_session):
    cast = await make_cast(db_session)
    proposals = [await insert_proposal(db_session, cast.hood, cast.citizen, cost=1000 * (i + 1)) for i in range(4)]
    supporters = [await quick_account(db_session, home=cast.hood) for _ in range(3)]
    for proposal, count in zip(proposals, (1, 3, 0, 2), strict=True):
        for account in supporters[:count]:
            db_session.add(ProposalSupport(proposal_id=proposal.id, account_id=account.id))
    await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")
    await insert_proposal(db_session, cast.other_hood, cast.citizen)
    await db_session.flush()
    return cast, proposals, await make_ballot(db_session, cast.hood)


async def test_three_modes(client, db_session):
    cast, (a, b, c, d), ballot = await setup(db_session)
    path, headers = f"/api/v1/ballots/{ballot.id}/shortlist", await auth(client, cast.moderator)
    manual = await client.put(path, json={"mode": "manual", "proposal_ids": [c.id, a.id]}, headers=headers)
    assert manual.status_code == 200, manual.text
    assert [e["proposal_id"] for e in manual.json()["entries"]] == [c.id, a.id]
    assert await on_ballot(db_session, ballot.id) == [(c.id, 3000), (a.id, 1000)]
    top = await client.put(path, json={"mode": "top", "n": 2}, headers=headers)
    assert [(e["proposal_id"], e["supports"]) for e in top.json()["entries"]] == [(b.id, 3), (d.id, 2)]
    assert await on_ballot(db_session, ballot.id) == [(b.id, 2000), (d.id, 4000)]
    least = await client.put(path, json={"mode": "min_supports", "k": 1}, headers=headers)
    assert [e["proposal_id"] for e in least.json()["entries"]] == [b.id, d.id, a.id]
    entries = [e for e in await audit_of(db_session, f"ballot:{ballot.id}") if e.action == "ballot.shortlist_set"]
    assert [e.data["proposal_ids"] for e in entries] == [[c.id, a.id], [b.id, d.id], [b.id, d.id, a.id]]
    assert (await client.get(path, headers=headers)).json()["entries"][0]["proposal_id"] == b.id


@pytest.mark.parametrize(("who", "body", "status"), [
    ("other_moderator", {"mode": "top", "n": 2}, 403),
    ("citizen", {"mode": "top", "n": 2}, 403),
    ("moderator", {"mode": "top"}, 422),
    ("moderator", {"mode": "lottery"}, 422),
    ("moderator", {"mode": "manual", "proposal_ids": [987654]}, 422),
])
async def test_refusals_store_nothing(client, db_session, who, body, status):
    cast, _, ballot = await setup(db_session)
    headers = await auth(client, getattr(cast, who))
    before = await counts(db_session)
    response = await client.put(f"/api/v1/ballots/{ballot.id}/shortlist", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert await counts(db_session) == before
    assert await on_ballot(db_session, ballot.id) == []


async def test_proposals_of_other_neighbourhoods_or_not_accepted_are_refused(client, db_session):
    cast, _, ballot = await setup(db_session)
    foreign = await insert_proposal(db_session, cast.other_hood, cast.citizen)
    pending = await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")
    headers = await auth(client, cast.moderator)
    for pid in (foreign.id, pending.id):
        response = await client.put(f"/api/v1/ballots/{ballot.id}/shortlist",
                                    json={"mode": "manual", "proposal_ids": [pid]}, headers=headers)
        assert response.status_code == 422


@pytest.mark.parametrize("status", ["open", "closed", "cancelled"])
async def test_only_draft_ballots_change(client, db_session, status):
    cast, (a, *_), _ = await setup(db_session)
    ballot = await make_ballot(db_session, cast.hood, status=status)
    headers = await auth(client, cast.moderator)
    response = await client.put(f"/api/v1/ballots/{ballot.id}/shortlist",
                                json={"mode": "manual", "proposal_ids": [a.id]}, headers=headers)
    assert response.status_code == 409


async def test_unknown_ballot_is_404(client, db_session):
    cast = await make_cast(db_session)
    response = await client.put("/api/v1/ballots/987654/shortlist", json={"mode": "top", "n": 1},
                                headers=await auth(client, cast.admin))
    assert response.status_code == 404
