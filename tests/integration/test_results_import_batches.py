"""``ballot import`` stores its votes batch by batch, the next batch's rows made in a thread while PostgreSQL
stores the current one: with several batches every vote is stored once and the export verifies; a batch refused by
PostgreSQL, or one whose rows cannot be made, leaves nothing stored (one transaction) and waits for the batch being
made before it raises."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import count_rows
from tests.integration.test_results_fidelity import SHIPPED, read
from voting.results import importer
from voting.results.service import CLI_PRINCIPAL, export_files, publish_ballot, tally_ballot
from voting.results.signing import public_keys_from_json
from voting.results.verify import verify_export

pytestmark = pytest.mark.anyio
DATABASE_PREFIX = "gb_import_batches"
FILE = "Poland_Gdansk_2020_Mlyniska"  # 167 votes: five batches of 40
TABLES = ("ballot", "proposal", "participation", "vote", "vote_leaf", "ballot_source_votes", "audit_entry")


async def test_votes_stored_in_several_batches_are_each_stored_once_and_verify(db_session, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 40)
    source = read(SHIPPED / f"{FILE}.pb")
    election = importer.read_import(source)[1]
    seen: list[tuple[int, int]] = []
    ballot = await importer.import_pabulib(db_session, source, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(40, 167), (80, 167), (120, 167), (160, 167), (167, 167)]
    rows = (await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT content, slot FROM vote WHERE ballot_id = :b").bindparams(b=ballot.id))).all()
    ids = {row[0]: row[1] for row in (await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT label, proposal_id FROM ballot_proposal WHERE ballot_id = :b").bindparams(b=ballot.id))).all()}
    wanted = Counter(json.dumps(importer._content(b, ids, election.vote_type), sort_keys=True)
                     for b in election.ballots)
    stored = Counter(json.dumps(json.loads(row[0]) if isinstance(row[0], str) else row[0], sort_keys=True)
                     for row in rows)
    assert stored == wanted and len({bytes(row[1]) for row in rows}) == 167  # every vote once, each its own slot
    for table in ("participation", "vote_leaf"):
        counted = (await db_session.exec(text(  # type: ignore[call-overload]
            f"SELECT count(DISTINCT {'voter_ref' if table == 'participation' else 'receipt_key'}) "  # noqa: S608
            f"FROM {table} WHERE ballot_id = :b").bindparams(b=ballot.id))).one()
        assert counted[0] == 167, table
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    files = await export_files(db_session, None, ballot.id)
    assert verify_export(files, public_keys_from_json(files["keys.json"].decode())) == []


@pytest.mark.parametrize("failure", ["refused by PostgreSQL", "rows not made"])
async def test_a_failing_batch_leaves_nothing_stored_and_waits_for_the_batch_being_made(committed_url, monkeypatch,
                                                                                          failure):
    from voting.database import make_engine, make_session_maker

    monkeypatch.setattr(importer, "BATCH", 40)
    made = importer._batch_rows
    finished: list[int] = []

    def batch_rows(ballot_id: int, election: Any, ids: dict[str, int], start: int) -> importer.Rows:
        if start == 120:  # the batch made while the third one is stored (and refused): slow, so still running
            time.sleep(0.5)
        participation, votes, leaves = made(ballot_id, election, ids, start)
        finished.append(start)
        if start == 80 and failure == "rows not made":
            raise RuntimeError("no rows")
        if start == 80:
            participation = [(*row[:2], "bogus", row[3]) for row in participation]  # participation_channel refuses
        return participation, votes, leaves

    monkeypatch.setattr(importer, "_batch_rows", batch_rows)
    before = {table: await count_rows(committed_url, f"SELECT count(*) FROM {table}")  # noqa: S608 - constants
              for table in TABLES}
    engine = make_engine(committed_url, pool_size=1)
    try:
        async with make_session_maker(engine)() as session:
            with pytest.raises(Exception, match="participation_channel" if failure.startswith("refused")
                               else "no rows"):
                await importer.import_pabulib(session, read(SHIPPED / f"{FILE}.pb"))
            await session.rollback()
            threads = {thread.name for thread in threading.enumerate()}
    finally:
        await engine.dispose()
    assert 120 in finished or failure == "rows not made"  # the batch being made was let finish, then dropped
    assert 160 not in finished, threads  # and no batch after it was started
    after = {table: await count_rows(committed_url, f"SELECT count(*) FROM {table}")  # noqa: S608 - constants
             for table in TABLES}
    assert after == before
