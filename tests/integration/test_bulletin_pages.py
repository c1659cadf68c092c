"""The bulletin board a page at a time, its receipt search in SQL, who may read it before publication, and the
signed exports stored once at publication and served by ETag."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories import bearer, make_account
from tests.integration.test_results_service import imported
from tests.web.test_results_pages import vote_while_open
from voting.results.bulletin import bulletin_page, wanted_hash
from voting.results.service import CLI_PRINCIPAL, publish_ballot, tally_ballot

pytestmark = pytest.mark.anyio
ZURICH = "Switzerland_Zurich_SN.pb"  # 180 voters: two pages of 100


async def test_board_pages_and_search_by_code_or_hash(client, db_session):
    ballot_id = await imported(db_session, ZURICH)
    receipt = await vote_while_open(db_session, ballot_id)
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    assert (await client.get(f"/ballots/{ballot_id}/bulletin")).status_code == 403  # not published yet
    assert (await client.get(f"/api/v1/ballots/{ballot_id}/bulletin")).status_code == 403
    admin = await make_account(db_session, "admin")
    assert (await client.get(f"/api/v1/ballots/{ballot_id}/bulletin",
                             headers=await bearer(client, admin.email))).status_code == 200  # managers see it early
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)

    first = await client.get(f"/ballots/{ballot_id}/bulletin")
    assert first.status_code == 200
    assert "181 votes are counted for 181 participants" in first.text
    assert first.text.split("<tbody>")[1].count("<tr") == 100
    assert "Page 1 of 2" in first.text and 'href="?page=2"' in first.text
    second = await client.get(f"/ballots/{ballot_id}/bulletin", params={"page": 2})
    assert second.text.split("<tbody>")[1].count("<tr") == 81 and "Page 2 of 2" in second.text
    assert (await client.get(f"/ballots/{ballot_id}/bulletin", params={"page": 0})).status_code == 400

    everything = (await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT receipt_hash FROM vote WHERE ballot_id = :b ORDER BY receipt_hash").bindparams(b=ballot_id))).all()
    mine = wanted_hash(receipt.receipt)
    where = [row[0] for row in everything].index(mine) // 100 + 1
    for asked in (receipt.receipt, receipt.receipt.lower().replace("-", " "), mine, mine.upper()):
        found = await client.get(f"/ballots/{ballot_id}/bulletin", params={"receipt": asked})
        assert 'data-testid="found"' in found.text, asked
        assert 'data-testid="my-vote"' in found.text and f"Page {where} of 2" in found.text  # opens its page
    missing = await client.get(f"/ballots/{ballot_id}/bulletin", params={"receipt": "0" * 64})
    assert 'role="alert"' in missing.text

    api = (await client.get(f"/api/v1/ballots/{ballot_id}/bulletin")).json()
    assert api["votes"] == 181 and api["pages"] == 1 and len(api["board"]) == 181
    board = await bulletin_page(db_session, None, ballot_id, page=3, page_size=50)
    assert board.pages == 4 and [r[0] for r in board.rows] == [row[0] for row in everything[100:150]]


async def test_exports_are_stored_at_publication_and_served_from_there(client, db_session):
    ballot_id = await imported(db_session, ZURICH)
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    stored = dict((await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT name, content FROM result_export WHERE ballot_id = :b").bindparams(b=ballot_id))).all())
    assert sorted(stored) == sorted(["result.json", "result.csv", "election.pb", "bulletin.json", "bulletin.csv"]
                                    + [f"{n}.sig" for n in ("result.json", "result.csv", "election.pb",
                                                            "bulletin.json", "bulletin.csv")])
    # A vote changed behind the store's back: the downloads still serve what was signed at publication.
    await db_session.exec(text(  # type: ignore[call-overload]
        "UPDATE vote SET content = '{\"projects\": []}' WHERE ballot_id = :b").bindparams(b=ballot_id))
    download = await client.get(f"/ballots/{ballot_id}/exports/bulletin.json")
    assert download.status_code == 200 and download.content == bytes(stored["bulletin.json"])
    etag = download.headers["etag"]
    again = await client.get(f"/ballots/{ballot_id}/exports/bulletin.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    api = await client.get(f"/api/v1/ballots/{ballot_id}/exports/election.pb.sig")
    assert api.content == bytes(stored["election.pb.sig"]) and api.headers["etag"]
    csv_board = await client.get(f"/ballots/{ballot_id}/bulletin.csv")
    assert csv_board.content == bytes(stored["bulletin.csv"])
    assert (await client.get(f"/ballots/{ballot_id}/exports/nothing.txt")).status_code == 404


async def test_a_large_export_is_streamed_whole(client, db_session, monkeypatch):
    import voting.results.pages

    monkeypatch.setattr(voting.results.pages, "CHUNK", 1000)  # every export of this ballot is "large"
    ballot_id = await imported(db_session, ZURICH)
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    stored = (await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT content FROM result_export WHERE ballot_id = :b AND name = 'bulletin.json'").bindparams(b=ballot_id)
    )).one()[0]
    assert len(stored) > 10 * 1000
    for url in (f"/ballots/{ballot_id}/exports/bulletin.json", f"/api/v1/ballots/{ballot_id}/exports/bulletin.json"):
        download = await client.get(url)
        assert download.status_code == 200 and download.content == bytes(stored)
        assert download.headers["content-length"] == str(len(stored)) and download.headers["etag"]
    assert (await client.get("/schema/openapi.json")).status_code == 200
