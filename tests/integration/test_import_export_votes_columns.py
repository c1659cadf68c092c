"""A real city's Pabulib file imported, tallied and exported back keeps its VOTES as written: the same columns
(age, sex, voting_method, a survey's answers) and rows, under the source's voter ids; the export still verifies
and passes pabulib-checker. A ballot voted online gets none of that: its votes stay shuffled under random ids."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.integration.test_results_fidelity import SHIPPED, checker_errors, read
from voting.results.importer import import_pabulib
from voting.results.models import SourceVotes
from voting.results.service import CLI_PRINCIPAL, export_files, publish_ballot, tally_ballot
from voting.results.signing import public_keys_from_json
from voting.results.verify import verify_export
from voting.tally import parse_pabulib

pytestmark = pytest.mark.anyio

FILES = ("Poland_Gdansk_2020_Mlyniska", "Poland_Warszawa_2017_Plac_Wojska_Polskiego", "Switzerland_Zurich_SN",
         "Worldwide_Mechanical_Turk_Knapsack_3", "France_Toulouse_2022")


@pytest.mark.parametrize("name", FILES)
async def test_the_votes_come_back_with_their_columns_and_voter_ids(db_session, name):
    text = read(SHIPPED / f"{name}.pb")
    source = parse_pabulib(text)
    ballot = await import_pabulib(db_session, text)
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    files = await export_files(db_session, None, ballot.id)
    assert verify_export(files, public_keys_from_json(files["keys.json"].decode())) == []
    exported_text = files["election.pb"].decode()
    exported = parse_pabulib(exported_text)
    assert exported.vote_columns == source.vote_columns
    assert list(exported.votes) == list(source.votes)
    assert set(checker_errors(exported_text)) <= set(checker_errors(text))


async def test_only_imports_keep_source_rows(db_session):
    """The table holds rows of imported ballots only (every ballot in it has an imported election's META)."""
    from ballots.models import Ballot

    text = read(SHIPPED / "Poland_Gdansk_2020_Mlyniska.pb")
    ballot = await import_pabulib(db_session, text)
    kept = (await db_session.exec(select(SourceVotes.ballot_id, Ballot.source_meta).join(
        Ballot, Ballot.id == SourceVotes.ballot_id))).all()
    assert ballot.id in {ballot_id for ballot_id, _ in kept}
    assert all(meta for _, meta in kept)
