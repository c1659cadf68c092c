"""The ballots API over HTTP: management, eligibility refusals, invalid votes, receipts, paper votes, turnout."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from ballots import merkle, receipts
from ballots.counting import current_votes
from tests.ballot_factories import make_open_ballot, make_proposal, make_voter
from tests.factories import bearer, make_account, make_neighbourhood

pytestmark = pytest.mark.anyio
EN = {"accept-language": "en"}


@pytest.fixture
async def city(db_session):
    hood = await make_neighbourhood(db_session)
    other = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, ids = await make_open_ballot(db_session, hood, moderator)
    return {"hood": hood, "other": other, "moderator": moderator, "ballot": ballot, "ids": ids}


async def auth(client, account):
    return {**EN, **await bearer(client, account.email)}


async def test_create_open_and_walk_the_lifecycle(client, db_session, city):
    hood, moderator = city["hood"], city["moderator"]
    accepted = await make_proposal(db_session, hood, moderator, 12_000)
    refused = await make_proposal(db_session, hood, moderator, 5_000, status="submitted")
    elsewhere = await make_proposal(db_session, city["other"], moderator, 5_000)
    headers = await auth(client, moderator)
    now = datetime.now(UTC)
    body = {"neighbourhood_id": hood.id, "title": "Budget vert", "budget": 50_000, "proposal_ids": [accepted.id],
            "vote_format": "approval", "max_projects": 3, "rule": "equalshares",
            "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=3)).isoformat()}
    bad = await client.post("/api/v1/ballots", json={**body, "proposal_ids": [accepted.id, refused.id,
                                                                             elsewhere.id], "rule": "nope"},
                            headers=headers)
    assert bad.status_code == 422
    assert {r["code"] for r in bad.json()["extra"]} == {"proposal.not_accepted", "proposal.neighbourhood",
                                                        "rule.unknown"}
    created = await client.post("/api/v1/ballots", json=body, headers=headers)
    assert created.status_code == 201, created.text
    ballot = created.json()
    assert ballot["status"] == "draft" and ballot["projects"][0]["cost"] == 12_000
    listed = {b["id"] for b in (await client.get("/api/v1/ballots", headers=headers)).json()}
    assert ballot["id"] in listed and city["ballot"].id in listed
    assert ballot["id"] not in {b["id"] for b in (await client.get("/api/v1/ballots")).json()}
    path = f"/api/v1/ballots/{ballot['id']}/transitions"
    changed = await client.patch(f"/api/v1/ballots/{ballot['id']}", json={"max_projects": 2}, headers=headers)
    assert changed.status_code == 200 and changed.json()["max_projects"] == 2
    bad_change = await client.patch(f"/api/v1/ballots/{ballot['id']}", json={"rule": "irv"}, headers=headers)
    assert bad_change.status_code == 422
    forbidden = await client.post(f"{path}/published", headers=headers)
    assert forbidden.status_code == 409 and "draft" in forbidden.json()["detail"]
    for target in ("open", "closed", "tallied", "published"):
        moved = await client.post(f"{path}/{target}", headers=headers)
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == target
        frozen = await client.patch(f"/api/v1/ballots/{ballot['id']}", json={"budget": 1}, headers=headers)
        assert frozen.status_code == 409
    actions = (await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT action FROM audit_entry WHERE subject = :s ORDER BY seq").bindparams(s=f"ballot:{ballot['id']}"))).all()
    assert [a[0] for a in actions] == ["ballot.created", "ballot.updated", "ballot.open", "ballot.closed",
                                       "ballot.checkpoint", "result.stored", "ballot.tallied", "ballot.published"]


async def test_only_moderators_of_the_neighbourhood_manage(client, db_session, city):
    outsider = await make_account(db_session, "moderator", neighbourhoods=[city["other"].slug])
    citizen = await make_account(db_session)
    path = f"/api/v1/ballots/{city['ballot'].id}/transitions/cancelled"
    assert (await client.post(path, json={"reason": "x"}, headers=await auth(client, outsider))).status_code == 403
    assert (await client.post(path, json={"reason": "x"}, headers=await auth(client, citizen))).status_code == 403
    headers = await auth(client, city["moderator"])
    no_reason = await client.post(path, json={"reason": ""}, headers=headers)
    assert no_reason.status_code == 409
    done = await client.post(path, json={"reason": "Flooded square"}, headers=headers)
    assert done.json()["status"] == "cancelled" and done.json()["cancel_reason"] == "Flooded square"


async def test_vote_receipt_replace_and_check(client, db_session, city):
    voter = await make_voter(db_session, city["hood"])
    headers = await auth(client, voter)
    ids, url = city["ids"], f"/api/v1/ballots/{city['ballot'].id}/votes"
    first = await client.post(url, json={"projects": [ids[0], ids[1]]}, headers=headers)
    assert first.status_code == 201, first.text
    code = first.json()["receipt"]
    assert (await client.get(f"/api/v1/receipts/{code}")).json()["status"] == "recorded"
    second = await client.post(url, json={"projects": [ids[2]]}, headers={**headers, "Idempotency-Key": "k-1"})
    assert second.json()["replaced_previous"] is True
    again = await client.post(url, json={"projects": [ids[2]]}, headers={**headers, "Idempotency-Key": "k-1"})
    assert again.json()["receipt"] == second.json()["receipt"] and again.json()["replayed"] is True
    assert (await client.get(f"/api/v1/receipts/{code}")).json()["status"] == "replaced"
    assert (await client.post("/api/v1/receipts", json={"code": code})).json()["status"] == "replaced"
    counts = (await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT (SELECT count(*) FROM vote WHERE ballot_id = :b),"
        " (SELECT count(*) FROM vote_envelope WHERE ballot_id = :b),"
        " (SELECT count(*) FROM vote_leaf WHERE ballot_id = :b),"
        " (SELECT count(*) FROM participation WHERE ballot_id = :b)").bindparams(b=city["ballot"].id))).one()
    assert tuple(counts) == (0, 2, 2, 1)  # while voting runs, both votes are sealed envelopes
    moderator = await auth(client, city["moderator"])
    checkpoint = await client.post(f"/api/v1/ballots/{city['ballot'].id}/checkpoints", headers=moderator)
    assert checkpoint.status_code == 201 and checkpoint.json()["tree_size"] == 2
    status = (await client.get(f"/api/v1/receipts/{second.json()['receipt']}")).json()
    code = second.json()["receipt"]
    assert status["commitment"] == second.json()["commitment"]
    leaf = merkle.leaf_hash(receipts.leaf_data(city["ballot"].id, receipts.log_key(code),
                                               receipts.mask_commitment(code, status["commitment"])))
    assert merkle.verify_inclusion(leaf, status["leaf_index"], status["checkpoint_size"],
                                   [bytes.fromhex(p) for p in status["inclusion_proof"]],
                                   bytes.fromhex(status["checkpoint_root"]))
    path = f"/api/v1/ballots/{city['ballot'].id}/transitions"
    assert (await client.post(f"{path}/closed", headers=moderator)).status_code == 200
    assert await current_votes(db_session, city["ballot"].id) == [{"projects": [ids[2]]}]  # the last one counts
    assert (await client.get(f"/api/v1/receipts/{code}")).json()["status"] == "recorded"
    assert (await client.get(f"/api/v1/receipts/{first.json()['receipt']}")).json()["status"] == "replaced"
    for target in ("tallied", "published"):
        assert (await client.post(f"{path}/{target}", headers=moderator)).status_code == 200
    assert (await client.get(f"/api/v1/receipts/{second.json()['receipt']}")).json()["status"] == "counted"
    assert (await client.get("/api/v1/receipts/AAAA-BBBB")).status_code == 404


@pytest.mark.parametrize(("fields", "choice", "code"), [
    ({}, {"projects": [0, 1, 2, 3]}, "vote.over_budget"),
    ({}, {"projects": [999999]}, "vote.unknown"),
    ({}, {"projects": [0, 0]}, "vote.duplicate"),
    ({"vote_format": "approval", "max_projects": 1}, {"projects": [0, 1]}, "vote.too_many"),
    ({"vote_format": "approval", "min_projects": 2}, {"projects": [0]}, "vote.too_few"),
    ({"vote_format": "knapsack", "min_spend_percent": 90}, {"projects": [2]}, "vote.under_budget"),
    ({"vote_format": "cumulative", "total_points": 5, "max_points_per_project": 3}, {"points": {"0": 4}},
     "vote.points_per_project"),
    ({"vote_format": "cumulative", "total_points": 5}, {"points": {"0": 3, "1": 3}}, "vote.points_total"),
    ({"vote_format": "ranked", "max_ranks": 2, "rule": "irv"}, {"projects": [0, 1, 2]}, "vote.too_many"),
    ({"vote_format": "choose-one", "rule": "plurality"}, {"projects": [0, 1]}, "vote.choose_one"),
])
async def test_each_invalid_vote_shape_is_a_422_with_reasons(client, db_session, city, fields, choice, code):
    ballot, ids = await make_open_ballot(db_session, city["hood"], city["moderator"], **fields)

    def real(value):
        return ids[value] if isinstance(value, int) and value < len(ids) else value

    if "projects" in choice:
        choice = {"projects": [real(p) for p in choice["projects"]]}
    else:
        choice = {"points": {str(real(int(k))): v for k, v in choice["points"].items()}}
    voter = await make_voter(db_session, city["hood"])
    answer = await client.post(f"/api/v1/ballots/{ballot.id}/votes", json=choice, headers=await auth(client, voter))
    assert answer.status_code == 422, answer.text
    assert code in {reason["code"] for reason in answer.json()["extra"]}
    assert (await db_session.exec(text("SELECT count(*) FROM participation WHERE ballot_id = :b")  # type: ignore[call-overload]
                                  .bindparams(b=ballot.id))).one()[0] == 0


async def test_a_vote_after_closes_at_is_refused_by_the_clock(client, db_session, city):
    now = datetime.now(UTC)
    ballot, ids = await make_open_ballot(db_session, city["hood"], city["moderator"],
                                         opens_at=now - timedelta(hours=2), closes_at=now - timedelta(seconds=1))
    voter = await make_voter(db_session, city["hood"])
    answer = await client.post(f"/api/v1/ballots/{ballot.id}/votes", json={"projects": [ids[0]]},
                               headers=await auth(client, voter))
    assert answer.status_code == 409 and answer.json()["detail"] == "Voting is closed."
    shown = await client.get(f"/api/v1/ballots/{ballot.id}")
    assert shown.json()["status"] == "closed" and shown.json()["stored_status"] == "open"


async def test_refused_voters_are_told_why(client, db_session, city):
    ballot, ids = await make_open_ballot(db_session, city["hood"], city["moderator"], requires_roll=True)
    on_roll = await make_voter(db_session, city["hood"])
    young = await make_voter(db_session, city["hood"], born=date.today() - timedelta(days=365 * 15))
    elsewhere = await make_voter(db_session, city["other"])
    off_roll = await make_voter(db_session, city["hood"])
    csv = "email,birth_date\n" + "".join(f"{a.email},\n" for a in (on_roll, young, elsewhere)) + "nope,\n"
    report = await client.post(f"/api/v1/ballots/{ballot.id}/roll", content=csv.encode(),
                               headers=await auth(client, city["moderator"]))
    assert report.status_code == 200, report.text
    assert report.json()["added"] == 3 and report.json()["rejected"][0]["line"] == 5
    url = f"/api/v1/ballots/{ballot.id}/votes"
    for account, code in ((young, "eligibility.age"), (elsewhere, "eligibility.residence"),
                          (off_roll, "eligibility.roll")):
        answer = await client.post(url, json={"projects": [ids[0]]}, headers=await auth(client, account))
        assert answer.status_code == 403
        assert [r["code"] for r in answer.json()["extra"]] == [code]
    assert (await client.post(url, json={"projects": [ids[0]]},
                              headers=await auth(client, on_roll))).status_code == 201


async def test_paper_and_online_votes_exclude_each_other(client, db_session, city):
    ballot, ids = city["ballot"], city["ids"]
    officer = await auth(client, await make_account(db_session, "poll_officer", neighbourhoods=[city["hood"].slug]))
    paper_voter = await make_voter(db_session, city["hood"])
    online_voter = await make_voter(db_session, city["hood"])
    paper = await client.post(f"/api/v1/ballots/{ballot.id}/paper-votes",
                              json={"voter": paper_voter.email, "projects": [ids[0]]}, headers=officer)
    assert paper.status_code == 201 and paper.json()["channel"] == "paper"
    online = await client.post(f"/api/v1/ballots/{ballot.id}/votes", json={"projects": [ids[1]]},
                               headers=await auth(client, paper_voter))
    assert online.status_code == 409 and "paper vote" in online.json()["detail"]
    assert (await client.post(f"/api/v1/ballots/{ballot.id}/votes", json={"projects": [ids[1]]},
                              headers=await auth(client, online_voter))).status_code == 201
    late_paper = await client.post(f"/api/v1/ballots/{ballot.id}/paper-votes",
                                   json={"voter": online_voter.email, "projects": [ids[0]]}, headers=officer)
    assert late_paper.status_code == 409 and "online" in late_paper.json()["detail"]
    third = await make_voter(db_session, city["hood"])
    batch = f"voter,projects\n{third.email},{ids[0]} {ids[2]}\n{online_voter.email},{ids[0]}\n"
    refused = await client.post(f"/api/v1/ballots/{ballot.id}/paper-votes/batch", content=batch.encode(),
                                headers=officer)
    assert refused.status_code == 422 and refused.json()["extra"][0]["message"].startswith("line 3")
    good = await client.post(f"/api/v1/ballots/{ballot.id}/paper-votes/batch",
                             content=f"voter,projects\n{third.email},{ids[0]} {ids[2]}\n".encode(), headers=officer)
    assert good.status_code == 201 and good.json()["recorded"] == 1
    turnout = (await client.get(f"/api/v1/ballots/{ballot.id}/turnout")).json()
    assert turnout["votes"] == 3 and turnout["by_channel"] == {"online": 1, "paper": 2}
    assert turnout["by_age_band"]["35-49"] == 3 and turnout["eligible"] >= 3


async def test_the_vote_table_has_no_voter_column_and_shares_no_key_with_participation(db_session):
    columns = {table: {row[0] for row in (await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT column_name FROM information_schema.columns WHERE table_name = :t").bindparams(t=table))).all()}
        for table in ("vote", "vote_leaf", "vote_envelope", "participation")}
    assert columns["vote"] == {"ballot_id", "slot", "content", "commitment", "receipt_hash"}
    assert columns["vote_envelope"] == {"id", "ballot_id", "sealed"}
    assert columns["vote_leaf"] == {"id", "ballot_id", "receipt_key", "masked_commitment", "masked", "leaf_hash",
                                    "tree_index"}
    assert (columns["vote"] | columns["vote_envelope"]) & columns["participation"] == {"ballot_id"}
    # A voter's participation names their current log entry; the log names no vote of the ballot box.
    assert columns["vote_leaf"] & columns["participation"] == {"ballot_id", "receipt_key"}
    assert columns["vote_leaf"] & columns["vote"] == {"ballot_id"}


async def test_a_draft_is_found_only_by_its_managers(client, db_session, city):
    draft, _ids = await make_open_ballot(db_session, city["hood"], city["moderator"], status="draft")
    citizen = await auth(client, await make_voter(db_session, city["hood"]))
    for headers in ({}, citizen):
        assert (await client.get(f"/api/v1/ballots/{draft.id}", headers=headers)).status_code == 404
    assert (await client.get(f"/ballots/{draft.id}")).status_code == 404
    manager = await auth(client, city["moderator"])
    assert (await client.get(f"/api/v1/ballots/{draft.id}", headers=manager)).json()["status"] == "draft"
