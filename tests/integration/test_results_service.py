"""Tallying ballots from the ballot box, signed exports and their recount by independent tools."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from voting.results.importer import import_pabulib
from voting.results.models import BallotResult
from voting.results.service import CLI_PRINCIPAL, bulletin_rows, export_files, publish_ballot, tally_ballot
from voting.results.signing import public_keys_from_json
from voting.results.verify import verify_export

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parents[2]


def shared(name: str) -> Path:
    """A real Pabulib file: the copy shipped in tests/data/pabulib, else GREENBALLOT_PABULIB_DIR or shared/."""
    shipped = REPO / "tests" / "data" / "pabulib" / name
    if shipped.exists():
        return shipped
    folder = Path(os.environ.get("GREENBALLOT_PABULIB_DIR") or REPO / ".." / "shared" / "data" / "pabulib")
    path = folder / name
    if not path.exists():
        pytest.skip(f"shared Pabulib data not found at {folder}")
    return path


SMALL = ["Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb", "Netherlands_Amsterdam_643.pb",
         "US_Stanford_Dataset_2022_Jersey_City_Ward_B_vote_knapsacks.pb", "Poland_Czestochowa_2020_Grabowka.pb",
         "Worldwide_Mechanical_Turk_Knapsack_3.pb"]


async def imported(db_session, name: str) -> int:
    from voting.i18n import use_language

    use_language("en")  # service messages are asserted in English below
    ballot = await import_pabulib(db_session, shared(name).read_text(encoding="utf-8-sig"))
    assert ballot.id is not None
    return ballot.id


def pabutools_selection(pb_path: Path, rule: str) -> set[str]:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    instance, profile = parse_pabulib(str(pb_path))
    if rule == "equalshares":
        outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    else:
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    return {project.name for project in outcome}


def checker_errors(pb_text: str) -> dict:
    from pabulib.checker import Checker

    with contextlib.redirect_stdout(io.StringIO()):
        results = Checker().process_files([pb_text])
    (only,) = [v for k, v in results.items() if k not in ("metadata", "summary")]
    return only["results"].get("errors", {})


@pytest.mark.parametrize("name", SMALL)
async def test_import_tally_export_verify_and_recount_with_pabutools(db_session, tmp_path, name):
    ballot_id = await imported(db_session, name)
    stored = await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    again = await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    assert again.raw == stored.raw, "tallying twice must give byte-identical results"
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    files = await export_files(db_session, None, ballot_id)
    assert verify_export(files, public_keys_from_json(files["keys.json"].decode())) == []
    pb_text = files["election.pb"].decode()
    errors = checker_errors(pb_text)
    errors.pop("all projects funded", None)  # a fact about some elections (every project fit), not about the file
    assert set(errors) <= set(checker_errors(shared(name).read_text(encoding="utf-8-sig")))  # as in the source
    if stored.document["vote_type"] == "approval" and stored.document["rule"] in ("greedy", "equalshares"):
        (tmp_path / "election.pb").write_text(pb_text)
        recount = pabutools_selection(tmp_path / "election.pb", stored.document["rule"])
        assert recount == {p.get("pabulib_id", p["id"]) for p in stored.document["projects"] if p["selected"]}


async def test_bulletin_board_counts_every_participant(db_session):
    ballot_id = await imported(db_session, SMALL[1])
    _, rows, participants = await bulletin_rows(db_session, CLI_PRINCIPAL, ballot_id)
    assert len(rows) == participants == 66
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)


async def test_a_changed_vote_makes_the_stored_result_disagree(db_session):
    from voting.domain import Conflict

    ballot_id = await imported(db_session, SMALL[0])
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    await db_session.exec(text(
        "UPDATE vote SET content = '{\"projects\": []}' WHERE ctid = "
        "(SELECT ctid FROM vote WHERE ballot_id = :b LIMIT 1)").bindparams(b=ballot_id))
    with pytest.raises(Conflict, match="differs"):
        await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)


async def test_no_tally_before_the_close_and_no_publication_before_the_tally(db_session):
    from datetime import UTC, datetime, timedelta

    from ballots.models import Ballot
    from voting.domain import Conflict

    ballot_id = await imported(db_session, SMALL[0])
    with pytest.raises(Conflict, match="Tally the ballot"):
        await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    ballot = await db_session.get(Ballot, ballot_id)
    ballot.status, ballot.closes_at = "open", datetime.now(UTC) + timedelta(days=1)
    db_session.add(ballot)
    await db_session.flush()
    with pytest.raises(Conflict, match="after it closes"):
        await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    assert await db_session.get(BallotResult, ballot_id) is None


async def test_unpublished_results_are_for_auditors_only(db_session):
    from tests.factories import make_account
    from voting.domain import Forbidden
    from voting.results.service import stored_result

    ballot_id = await imported(db_session, SMALL[0])
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    with pytest.raises(Forbidden):
        await stored_result(db_session, None, ballot_id)
    auditor = await make_account(db_session, "auditor")
    from auth.principal import Principal

    principal = Principal(auditor.id, auditor.email, auditor.display_name, frozenset({"auditor"}))
    assert (await stored_result(db_session, principal, ballot_id)).document["ballot_id"] == ballot_id
