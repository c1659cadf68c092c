"""Project names with a new line, a semicolon, quotes and a text-direction character: the genuine export of an
imported election verifies and reads back exactly (greenballot, pabulib-checker); one changed byte in a vote fails."""

from __future__ import annotations

import pytest

from tests.integration.test_results_fidelity import checker_errors
from voting.results.importer import import_pabulib
from voting.results.service import CLI_PRINCIPAL, export_files, publish_ballot, tally_ballot
from voting.results.signing import public_keys_from_json
from voting.results.verify import verify_export
from voting.tally import parse_pabulib

pytestmark = pytest.mark.anyio

NAMES = {"a": "Park\nnorth side", "b": 'Bench; "the old one"', "c": "Garden \u202ethgir-ot-tfel"}
PB = ("META\nkey;value\ndescription;Odd names\ncountry;Poland\nunit;Kraków\ninstance;2023\nnum_projects;3\n"
      "num_votes;4\nbudget;100.50\nvote_type;approval\nrule;greedy\ndate_begin;01.05.2023\ndate_end;31.05.2023\n"
      "currency;PLN\nPROJECTS\nproject_id;cost;votes;name\n"
      + "".join(f'{pid};{cost};{votes};"{name.replace(chr(34), chr(34) * 2)}"\n'
                for (pid, name), cost, votes in zip(NAMES.items(), (60, 40, 30), (3, 2, 1), strict=True))
      + "VOTES\nvoter_id;vote\n1;a,b\n2;a\n3;a,b\n4;c\n")


async def test_odd_names_survive_and_a_changed_vote_byte_is_caught(db_session):
    ballot = await import_pabulib(db_session, PB)
    assert ballot.budget_exact == "100.5" and ballot.currency == "PLN"
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    files = await export_files(db_session, None, ballot.id)
    keys = public_keys_from_json(files["keys.json"].decode())
    assert verify_export(files, keys) == []
    text = files["election.pb"].decode()
    assert checker_errors(text) == {}
    exported = parse_pabulib(text)
    assert {p.id: p.name for p in exported.election().projects} == NAMES
    assert exported.meta["budget"] == "100.50" and exported.meta["currency"] == "PLN"

    lines = text.split("\n")
    row = lines.index("voter_id;vote") + 1
    vote = next(n for n in range(row, len(lines)) if lines[n].endswith(";c"))
    lines[vote] = lines[vote][:-1] + "b"  # one byte: this voter now chose b instead of c
    tampered = dict(files) | {"election.pb": "\n".join(lines).encode()}
    problems = verify_export(tampered, keys)
    assert "election.pb does not match its signature" in " ".join(problems)
    assert any("disagree on 1 vote(s)" in problem for problem in problems)
