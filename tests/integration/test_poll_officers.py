"""Paper votes are entered only by poll officers of the ballot's neighbourhood (and admins), each entry audited
with the officer, the ballot and the number of votes, never whose vote or what it says."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from tests.ballot_factories import make_open_ballot, make_voter
from tests.factories import bearer, make_account, make_neighbourhood, unique
from tests.integration.test_cli import cli_database, cli_env, run  # noqa: F401  (the fixtures)
from voting.models import AuditEntry

pytestmark = pytest.mark.anyio
EN = {"accept-language": "en"}
FR = {"accept-language": "fr"}


@pytest.fixture
async def polling(db_session):
    hood, other = await make_neighbourhood(db_session), await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, ids = await make_open_ballot(db_session, hood, moderator)
    officer = await make_account(db_session, "poll_officer", neighbourhoods=[hood.slug])
    elsewhere = await make_account(db_session, "poll_officer", neighbourhoods=[other.slug])
    return {"hood": hood, "moderator": moderator, "ballot": ballot, "ids": ids, "officer": officer,
            "elsewhere": elsewhere}


async def paper_entries(db_session, ballot_id: int) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    return list((await db_session.exec(select(AuditEntry).where(
        AuditEntry.action == "ballot.paper_votes", AuditEntry.subject == f"ballot:{ballot_id}")
        .order_by(col(AuditEntry.seq)))).all())


async def test_a_moderator_cannot_vote_in_a_citizens_name(client, db_session, polling):
    ballot, ids = polling["ballot"], polling["ids"]
    citizen = await make_voter(db_session, polling["hood"])
    url = f"/api/v1/ballots/{ballot.id}/paper-votes"
    refused = await client.post(url, json={"voter": citizen.email, "projects": ids[:1]},
                                headers={**FR, **await bearer(client, polling["moderator"].email)})
    assert refused.status_code == 403 and "poll_officer" in refused.json()["detail"]
    batch = await client.post(f"{url}/batch", content=f"voter,projects\n{citizen.email},{ids[0]}\n".encode(),
                              headers=await bearer(client, polling["moderator"].email))
    assert batch.status_code == 403
    online = await client.post(f"/api/v1/ballots/{ballot.id}/votes", json={"projects": ids[:1]},
                               headers=await bearer(client, citizen.email))
    assert online.status_code == 201  # the citizen's own vote is not blocked by anyone else's entry
    assert await paper_entries(db_session, ballot.id) == []


async def test_a_poll_officer_of_another_neighbourhood_is_refused(client, db_session, polling):
    ballot, ids = polling["ballot"], polling["ids"]
    citizen = await make_voter(db_session, polling["hood"])
    refused = await client.post(f"/api/v1/ballots/{ballot.id}/paper-votes",
                                json={"voter": citizen.email, "projects": ids[:1]},
                                headers={**FR, **await bearer(client, polling["elsewhere"].email)})
    assert refused.status_code == 403
    assert refused.json()["detail"] == ("Seuls les assesseurs de ce quartier et les administrateurs saisissent "
                                        "les votes papier.")


async def test_every_entry_is_audited_with_officer_ballot_and_count_only(client, db_session, polling):
    ballot, ids, officer = polling["ballot"], polling["ids"], polling["officer"]
    headers = {**EN, **await bearer(client, officer.email)}
    voters = [await make_voter(db_session, polling["hood"]) for _ in range(3)]
    single = await client.post(f"/api/v1/ballots/{ballot.id}/paper-votes",
                               json={"voter": voters[0].email, "projects": ids[:1]}, headers=headers)
    assert single.status_code == 201, single.text
    csv_text = "".join(f"{v.email},{ids[1]}\n" for v in voters[1:])
    batch = await client.post(f"/api/v1/ballots/{ballot.id}/paper-votes/batch",
                              content=f"voter,projects\n{csv_text}".encode(), headers=headers)
    assert batch.status_code == 201 and batch.json()["recorded"] == 2
    entries = await paper_entries(db_session, ballot.id)
    assert [(e.actor, e.data["officer"], e.data["ballot"], e.data["votes"], e.data["mode"]) for e in entries] == [
        (f"account:{officer.id}", str(officer.id), ballot.id, 1, "single"),
        (f"account:{officer.id}", str(officer.id), ballot.id, 2, "batch")]
    stored = repr([e.data for e in entries])
    assert all(v.email not in stored and str(v.id) not in stored for v in voters)
    assert "projects" not in stored and "points" not in stored
    online = await client.post(f"/api/v1/ballots/{ballot.id}/votes", json={"projects": ids[:1]},
                               headers=await bearer(client, voters[0].email))
    assert online.status_code == 409  # came in person: no second vote online


async def test_a_refused_batch_writes_no_audit_entry(client, db_session, polling):
    ballot, ids = polling["ballot"], polling["ids"]
    voter = await make_voter(db_session, polling["hood"])
    response = await client.post(f"/api/v1/ballots/{ballot.id}/paper-votes/batch",
                                 content=f"voter,projects\n{voter.email},{ids[0]}\nnobody@example.org,{ids[0]}\n"
                                 .encode(), headers=await bearer(client, polling["officer"].email))
    assert response.status_code == 422
    assert await paper_entries(db_session, ballot.id) == []


async def test_an_admin_enters_paper_votes_anywhere_and_grants_the_role(client, db_session, polling):
    admin = await make_account(db_session, "admin")
    headers = await bearer(client, admin.email)
    voter = await make_voter(db_session, polling["hood"])
    entered = await client.post(f"/api/v1/ballots/{polling['ballot'].id}/paper-votes",
                                json={"voter": voter.email, "projects": polling["ids"][:1]}, headers=headers)
    assert entered.status_code == 201
    recruit = await make_account(db_session, "citizen")
    granted = await client.put(f"/api/v1/admin/accounts/{recruit.id}/polling-stations",
                               json={"neighbourhoods": [polling["hood"].slug]}, headers=headers)
    assert granted.status_code == 200, granted.text
    assert "poll_officer" in granted.json()["roles"] and granted.json()["polling_stations"] == [polling["hood"].slug]
    other = await make_voter(db_session, polling["hood"])
    assert (await client.post(f"/api/v1/ballots/{polling['ballot'].id}/paper-votes",
                              json={"voter": other.email, "projects": polling["ids"][:1]},
                              headers=await bearer(client, recruit.email))).status_code == 201
    revoked = await client.delete(f"/api/v1/admin/accounts/{recruit.id}/roles/poll_officer", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["polling_stations"] == []


async def test_the_paper_page_needs_a_poll_officer(client, db_session, polling):
    from tests.factories import browser_login

    path = f"/ballots/{polling['ballot'].id}"
    await browser_login(client, polling["moderator"].email)
    assert (await client.get(f"{path}/paper", headers=EN)).status_code == 403
    assert 'data-testid="paper-link"' not in (await client.get(path, headers=EN)).text
    await browser_login(client, polling["officer"].email)
    assert (await client.get(f"{path}/paper", headers=EN)).status_code == 200
    assert 'data-testid="paper-link"' in (await client.get(path, headers=EN)).text


async def test_a_poll_officer_needs_a_neighbourhood(db_session):
    from auth.service import AccountError, create_account

    with pytest.raises(AccountError):
        await create_account(db_session, email=f"{unique('po')}@example.org", password="long-enough-pw",
                             display_name="P", roles=["poll_officer"])


def test_user_add_makes_a_poll_officer(cli_env):  # noqa: F811
    slug = unique("bureau")
    assert run("neighbourhood", "add", slug, "--name-fr", "Bureau", env=cli_env).returncode == 0
    email = f"{unique('officer')}@example.org"
    done = run("user", "add", email, "--role", "poll_officer", "--neighbourhood", slug, "--password-stdin",
               env=cli_env, stdin="long-enough-pw\n")
    assert done.returncode == 0 and "created poll_officer" in done.stdout, done.stderr
