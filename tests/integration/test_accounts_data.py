"""The account page and API: profile changes, the data download, and deletion that keeps counts and the audit."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from auth.models import Account, RoleGrant
from tests.ballot_factories import make_open_ballot, make_proposal, make_voter
from tests.factories import PASSWORD, bearer, browser_login, make_account, make_neighbourhood, post_form
from voting.audit.service import verify_log
from voting.models import AuditEntry
from voting.proposals.models import ProposalSupport

pytestmark = pytest.mark.anyio


async def test_profile_changes_and_a_new_residence_drops_verification(client, db_session):
    hood, elsewhere = await make_neighbourhood(db_session), await make_neighbourhood(db_session)
    account = await make_voter(db_session, hood)
    headers = await bearer(client, account.email)
    shown = (await client.get("/api/v1/account", headers=headers)).json()
    assert shown["verified"] is True and shown["neighbourhood"] == hood.slug and shown["email_confirmed"] is True
    named = await client.patch("/api/v1/account", headers=headers,
                               json={"display_name": "Zoé", "language": "fr", "notify_results": True})
    assert named.status_code == 200 and named.json()["verified"] is True and named.json()["language"] == "fr"
    moved = await client.patch("/api/v1/account", headers=headers, json={"neighbourhood": elsewhere.slug})
    assert moved.json()["verified"] is False and moved.json()["verified_how"] is None
    assert moved.json()["notify_results"] is True and moved.json()["display_name"] == "Zoé"
    bad = await client.patch("/api/v1/account", headers={**headers, "accept-language": "fr"},
                             json={"neighbourhood": None})
    assert bad.status_code == 400 and bad.json()["detail"] == "Choisissez votre quartier."
    entries = (await db_session.exec(select(AuditEntry).where(AuditEntry.action == "account.updated",
                                                              AuditEntry.subject == f"account:{account.id}")
                                     .order_by(col(AuditEntry.seq)))).all()
    assert [e.data["verification_dropped"] for e in entries] == [False, True]
    assert "Zoé" not in json.dumps([e.data for e in entries])


async def test_the_account_page_saves_and_explains(client, db_session):
    hood = await make_neighbourhood(db_session)
    account = await make_voter(db_session, hood)
    await browser_login(client, account.email)
    page = await client.get("/account")
    assert 'href="/account/residence"' not in page.text  # verified: nothing to verify
    saved = await post_form(client, "/account", {"display_name": "Nouveau Nom", "language": "", "neighbourhood":
                                                 hood.slug, "birth_date": "1980-02-03", "notify_ballot_opened": "true"})
    assert saved.status_code in (302, 303)
    await db_session.refresh(account)
    assert account.birth_date == date(1980, 2, 3) and account.verified_at is None and account.notify_ballot_opened
    again = await client.get("/account?done=profile")
    assert "Nouveau Nom" in again.text and 'href="/account/residence"' in again.text
    refused = await post_form(client, "/account", {"display_name": "", "birth_date": "1980-02-03"})
    assert refused.status_code == 400 and "Enter your name." in refused.text


async def test_download_my_data_has_my_proposals_supports_and_ballots_but_no_vote(client, db_session):
    hood = await make_neighbourhood(db_session)
    owner = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, ids = await make_open_ballot(db_session, hood, owner)
    voter = await make_voter(db_session, hood)
    mine = await make_proposal(db_session, hood, voter, 12_345, status="submitted")
    db_session.add(ProposalSupport(proposal_id=ids[0], account_id=voter.id))
    await db_session.flush()
    headers = await bearer(client, voter.email)
    cast = await client.post(f"/api/v1/ballots/{ballot.id}/votes", json={"projects": [ids[1], ids[2]]},
                             headers=headers)
    assert cast.status_code == 201, cast.text
    response = await client.get("/api/v1/account/data", headers=headers)
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["account"]["email"] == voter.email and data["roles"] == ["citizen"]
    assert [p["title"] for p in data["proposals"]] == [mine.title]
    assert [s["proposal_id"] for s in data["supports"]] == [ids[0]]
    assert data["participation"] == [{"ballot_id": ballot.id, "ballot": ballot.title, "channel": "online",
                                      "age_band": data["participation"][0]["age_band"]}]
    text = json.dumps(data)
    assert cast.json()["receipt"] not in text and str([ids[1], ids[2]]) not in text
    assert "commitment" not in text and "slot" not in text
    await browser_login(client, voter.email)
    assert (await client.get("/account/data")).json()["account"]["id"] == str(voter.id)


async def test_deletion_erases_me_keeps_turnout_and_the_audit_chain(client, db_session):
    hood = await make_neighbourhood(db_session)
    owner = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, ids = await make_open_ballot(db_session, hood, owner)
    voter = await make_voter(db_session, hood)
    await make_voter(db_session, hood)  # someone who stays
    proposal = await make_proposal(db_session, hood, voter, 9_000, status="submitted")
    db_session.add(ProposalSupport(proposal_id=ids[0], account_id=voter.id))
    await db_session.flush()
    headers = await bearer(client, voter.email)
    assert (await client.post(f"/api/v1/ballots/{ballot.id}/votes", json={"projects": [ids[1]]},
                              headers=headers)).status_code == 201
    open_ballot = await client.request("DELETE", "/api/v1/account", headers=headers, json={"password": PASSWORD})
    assert open_ballot.status_code == 409  # else a new account could vote in it a second time
    ballot.closes_at = datetime.now(UTC) - timedelta(seconds=1)
    db_session.add(ballot)
    await db_session.flush()
    before = (await client.get(f"/api/v1/ballots/{ballot.id}/turnout")).json()
    for statement in ("INSERT INTO census_pending (account_id, document_hash) VALUES (:id, repeat('a', 64))",
                      "INSERT INTO residence_attempt (account_id, at) VALUES (:id, now())"):
        await db_session.exec(text(statement), params={"id": voter.id})  # type: ignore[call-overload]
    exported = (await client.get("/api/v1/account/data", headers=headers)).json()
    assert len(exported["census_pending"]) == 1 and len(exported["residence_failed_checks"]) == 1

    wrong = await client.request("DELETE", "/api/v1/account", headers=headers, json={"password": "not-mine-at-all"})
    assert wrong.status_code == 400
    gone = await client.request("DELETE", "/api/v1/account", headers=headers, json={"password": PASSWORD})
    assert gone.status_code == 204, gone.text

    after = (await client.get(f"/api/v1/ballots/{ballot.id}/turnout")).json()
    assert (after["votes"], after["by_channel"], after["by_age_band"]) == (
        before["votes"], before["by_channel"], before["by_age_band"])
    await db_session.refresh(voter)
    assert voter.email.endswith("@deleted.invalid") and voter.display_name == "—" and voter.birth_date is None
    assert voter.neighbourhood_id is None and not voter.is_active and voter.deleted_at is not None
    assert voter.password_hash == "!" and voter.verified_at is None
    assert (await db_session.exec(select(RoleGrant).where(RoleGrant.account_id == voter.id))).all() == []
    assert (await db_session.get(ProposalSupport, (ids[0], voter.id))) is not None  # support counts stay
    await db_session.refresh(proposal)
    assert proposal.proposer_id == voter.id
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401
    assert (await client.post("/api/v1/auth/token", json={"email": voter.email, "password": PASSWORD})
            ).status_code == 401
    for table in ("census_pending", "residence_attempt"):
        left = (await db_session.exec(text(f"SELECT count(*) FROM {table} WHERE account_id = :id"),  # type: ignore[call-overload]
                                      params={"id": voter.id})).one()[0]
        assert left == 0, table
    count, broken = await verify_log(db_session)
    assert broken is None and count > 0
    deleted = (await db_session.exec(select(AuditEntry).where(AuditEntry.action == "account.deleted"))).one()
    assert deleted.subject == f"account:{voter.id}" and deleted.data == {}
    assert (await db_session.exec(select(Account).where(Account.email == voter.email))).one().id == voter.id


async def test_the_last_administrator_cannot_delete_their_account(client, db_session):
    admins = (await db_session.exec(select(RoleGrant).where(RoleGrant.role == "admin"))).all()
    for grant in admins:
        await db_session.delete(grant)
    admin = await make_account(db_session, "admin")
    refused = await client.request("DELETE", "/api/v1/account", headers=await bearer(client, admin.email),
                                   json={"password": PASSWORD})
    assert refused.status_code == 409


async def test_deletion_from_the_page(client, db_session):
    account = await make_account(db_session)
    await browser_login(client, account.email)
    assert (await client.get("/account/delete")).status_code == 200
    refused = await post_form(client, "/account/delete", {"password": "wrong-wrong-wrong"})
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    done = await post_form(client, "/account/delete", {"password": PASSWORD})
    assert done.status_code == 200 and "gb_session=" in done.headers["set-cookie"]
    assert account.display_name not in done.text and 'href="/login"' in done.text
    assert (await client.get("/account")).status_code in (302, 303)
