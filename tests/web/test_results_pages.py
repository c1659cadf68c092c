"""Results over HTTP: the results page with its chart and plain-language explanations, downloads, the bulletin
board with a receipt lookup, auditor pages, and who may see what before publication."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ballots.casting import record_vote
from ballots.service import change_status
from tests.factories import bearer, browser_login, make_account, post_form
from tests.integration.test_results_service import SMALL, imported
from voting.results.service import CLI_PRINCIPAL, publish_ballot, tally_ballot

pytestmark = pytest.mark.anyio


async def vote_while_open(db_session, ballot_id: int):  # type: ignore[no-untyped-def]
    """One more vote in an imported ballot: the ballot box takes it only while the ballot is open."""
    window = "status = 'open', opens_at = now() - interval '1 day', closes_at = clock_timestamp() + interval '1 hour'"
    await db_session.exec(text(f"UPDATE ballot SET {window} WHERE id = :b").bindparams(b=ballot_id))
    receipt = await record_vote(db_session, ballot_id, "a-known-voter", {"projects": []}, channel="online")
    await change_status(db_session, CLI_PRINCIPAL, ballot_id, "closed")  # opens the ballot box
    return receipt


async def test_results_page_downloads_and_bulletin(client, db_session):
    ballot_id = await imported(db_session, SMALL[1])  # Amsterdam 643: choose-one, 66 voters
    receipt = await vote_while_open(db_session, ballot_id)
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    hidden = await client.get(f"/ballots/{ballot_id}/results")
    assert hidden.status_code == 403
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)

    page = await client.get(f"/ballots/{ballot_id}/results")
    assert page.status_code == 200
    assert "<svg" in page.text and "<table>" in page.text and "Funded projects" in page.text
    assert "Projects are taken from the most supported down" in page.text  # the file records greedy
    french = await client.get(f"/ballots/{ballot_id}/results", headers={"accept-language": "fr"})
    assert "Projets financés" in french.text

    result = await client.get(f"/api/v1/ballots/{ballot_id}/result")
    assert result.json()["votes_counted"] == 67
    for name in ("result.csv", "result.json", "election.pb", "bulletin.json", "election.pb.sig", "keys.json"):
        download = await client.get(f"/ballots/{ballot_id}/exports/{name}")
        assert download.status_code == 200, name
    assert (await client.get(f"/ballots/{ballot_id}/exports/passwords.txt")).status_code == 404

    board = await client.get(f"/ballots/{ballot_id}/bulletin", params={"receipt": receipt.receipt})
    assert "67 votes are counted for 67 participants" in board.text
    assert 'data-testid="found"' in board.text
    found = board.text.split('data-testid="found"')[1].split("</p>")[0]
    assert "no project" in found  # the known voter chose none: said in words, not only as JSON
    import html

    from voting.results.service import ballot_projects

    names = [project.name for project in await ballot_projects(db_session, ballot_id)]
    table = board.text.split("<tbody>")[1]
    assert sum(table.count(html.escape(name)) for name in names) == 66  # every other vote names its project
    csv_board = await client.get(f"/ballots/{ballot_id}/bulletin.csv")
    assert csv_board.status_code == 200 and len(csv_board.text.splitlines()) == 68
    wrong = await client.get(f"/ballots/{ballot_id}/bulletin", params={"receipt": "AAAA-BBBB"})
    assert 'role="alert"' in wrong.text


async def test_tally_and_publish_need_a_moderator_of_the_ballot(client, db_session):
    ballot_id = await imported(db_session, SMALL[0])
    citizen = await make_account(db_session)
    headers = await bearer(client, citizen.email)
    assert (await client.post(f"/api/v1/ballots/{ballot_id}/tally", headers=headers)).status_code == 403
    assert (await client.post(f"/api/v1/ballots/{ballot_id}/tally")).status_code == 401
    admin = await make_account(db_session, "admin")
    admin_headers = await bearer(client, admin.email)
    tallied = await client.post(f"/api/v1/ballots/{ballot_id}/tally", headers=admin_headers)
    assert tallied.status_code == 200 and tallied.json()["ballot_id"] == ballot_id
    again = await client.post(f"/api/v1/ballots/{ballot_id}/tally", headers=admin_headers)
    assert again.content == tallied.content
    published = await client.post(f"/api/v1/ballots/{ballot_id}/publish", headers=admin_headers)
    assert published.json()["status"] == "published"


async def test_auditor_pages(client, db_session):
    ballot_id = await imported(db_session, SMALL[0])
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    citizen = await make_account(db_session)
    await browser_login(client, citizen.email)
    assert (await client.get("/audit")).status_code == 403
    await post_form(client, "/logout", {})
    auditor = await make_account(db_session, "auditor")
    await browser_login(client, auditor.email)
    index = await client.get("/audit")
    assert f'data-ballot="{ballot_id}"' in index.text and f"/ballots/{ballot_id}/exports/election.pb" in index.text
    log = await client.get("/audit/log", params={"action": "result."})
    assert "result.stored" in log.text and "auth.login" not in log.text
    unpublished = await client.get(f"/ballots/{ballot_id}/results")
    assert unpublished.status_code == 200 and "Not published yet" in unpublished.text
