"""A real city's Pabulib file imported, tallied and exported back keeps its VOTES as written: the same columns
(age, sex, voting_method; a survey's answers only when the importer opts in) and rows, under the source's voter
ids; the export still verifies and passes pabulib-checker. By default a column Pabulib does not define is dropped
at the import, so never republished. A ballot voted online gets none of that: its votes stay shuffled under random
ids."""

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
    exported_text = await exported_election(db_session, text, keep_extra_vote_columns=True)
    exported = parse_pabulib(exported_text)
    assert exported.vote_columns == source.vote_columns
    assert list(exported.votes) == list(source.votes)
    assert set(checker_errors(exported_text)) <= set(checker_errors(text))


async def exported_election(db_session, text: str, **options: bool) -> str:
    """The election.pb of ``text`` imported (with ``options``), tallied and published; its export verifies."""
    ballot = await import_pabulib(db_session, text, **options)
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    files = await export_files(db_session, None, ballot.id)
    assert verify_export(files, public_keys_from_json(files["keys.json"].decode())) == []
    return files["election.pb"].decode()


async def test_by_default_a_survey_column_is_dropped_and_the_export_still_verifies(db_session):
    text = read(SHIPPED / "Switzerland_Zurich_SN.pb")
    source = parse_pabulib(text)
    assert "topic_preference_transport" in source.vote_columns and "district_preference" in source.vote_columns
    exported_text = await exported_election(db_session, text)
    exported = parse_pabulib(exported_text)
    assert exported.vote_columns == ["voter_id", "vote"]  # the survey's eight answers are not republished
    assert list(exported.votes) == [row[:2] for row in source.votes]  # the source's voter ids, in its order
    assert "district_preference" not in exported_text and "time_taken_seconds" not in exported_text
    assert set(checker_errors(exported_text)) <= set(checker_errors(text))


async def test_a_private_column_never_reaches_the_database_by_default(db_session):
    """A file with voters' names and e-mails (a city's private file): only Pabulib's columns are stored, and the
    audit entry names those dropped."""
    from voting.models import AuditEntry
    from voting.results.source_votes import unpack_votes

    text = read(SHIPPED / "Poland_Gdansk_2020_Mlyniska.pb")
    header = next(line for line in text.splitlines() if line.startswith("voter_id;"))
    lines = text.splitlines()
    start = lines.index(header)
    private = [f"{header};name;email", *(f"{row};Voter {n};v{n}@example.org"
                                         for n, row in enumerate(lines[start + 1:]) if row.strip())]
    ballot = await import_pabulib(db_session, "\n".join(lines[:start] + private) + "\n")
    stored = await db_session.get(SourceVotes, ballot.id)
    assert stored is not None
    columns, rows = unpack_votes(stored.content)
    assert columns == header.split(";") and not any("@example.org" in cell for row in rows for cell in row)
    entry = (await db_session.exec(select(AuditEntry).where(AuditEntry.subject == f"ballot:{ballot.id}",
                                                            AuditEntry.action == "ballot.imported"))).one()
    assert entry.data["dropped_vote_columns"] == ["name", "email"]


async def test_only_imports_keep_source_rows(db_session):
    """The table holds rows of imported ballots only (every ballot in it has an imported election's META)."""
    from ballots.models import Ballot

    text = read(SHIPPED / "Poland_Gdansk_2020_Mlyniska.pb")
    ballot = await import_pabulib(db_session, text)
    kept = (await db_session.exec(select(SourceVotes.ballot_id, Ballot.source_meta).join(
        Ballot, Ballot.id == SourceVotes.ballot_id))).all()
    assert ballot.id in {ballot_id for ballot_id, _ in kept}
    assert all(meta for _, meta in kept)
