"""Offline verification of exports: an untouched export verifies; any changed vote, cost or flag is named."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from voting.results.document import (
    BallotInput,
    ProjectInput,
    build_election,
    group,
    input_digest,
    result_document,
    run_tally,
)
from voting.results.exports import bulletin_csv, bulletin_json, election_pb, result_csv, result_json, safe_cell
from voting.results.signing import sign_bytes
from voting.results.verify import verify_export

BALLOT = BallotInput(7, "Budget vert", "knapsack", 100, "equalshares", "min-cost,max-votes,lexico")
PROJECTS = [ProjectInput(1, "Verger", 60), ProjectInput(2, "=HYPERLINK(\"x\")", 50), ProjectInput(3, "Mare", 40)]
CONTENTS = [{"projects": [1, 2]}, {"projects": [1]}, {"projects": [3]}, {"projects": [2, 3]}, {"projects": [1, 3]}]


def export(key, kid="sig-1"):
    election = build_election(BALLOT, PROJECTS, group(CONTENTS))
    result = run_tally(BALLOT, election)
    document = result_document(BALLOT, PROJECTS, election, result, input_digest(BALLOT, PROJECTS, group(CONTENTS)))
    rows = [(f"{n:064x}", f"c{n}", content) for n, content in enumerate(CONTENTS)]
    files = {"result.json": result_json(document), "result.csv": result_csv(document).encode(),
             "election.pb": election_pb(election, result, {"description": "test"}, b"seed").encode(),
             "bulletin.json": bulletin_json(BALLOT.ballot_id, rows, len(rows)),
             "bulletin.csv": bulletin_csv(rows).encode()}
    for name in list(files):
        if name != "bulletin.csv":
            files[f"{name}.sig"] = sign_bytes(name, files[name], key, kid).encode()
    return files, {kid: key.public_key()}


def resign(files, key, name):
    files[f"{name}.sig"] = sign_bytes(name, files[name], key, "sig-1").encode()


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


def test_an_untouched_export_verifies(key):
    files, keys = export(key)
    assert verify_export(files, keys) == []


def test_a_changed_file_breaks_its_signature(key):
    files, keys = export(key)
    files["result.csv"] = files["result.csv"].replace(b"Verger", b"Vergers")
    assert verify_export(files, keys) == [
        "result.csv does not match its signature (the file was changed after signing)"]


def test_unknown_key_and_missing_signature(key):
    files, _ = export(key)
    assert "signed by unknown key sig-1" in verify_export(files, {"other": key.public_key()})[0]
    del files["election.pb.sig"]
    assert "election.pb.sig is missing" in verify_export(files, {"sig-1": key.public_key()})


def _pb_lines(files):
    return files["election.pb"].decode().splitlines()


def test_one_changed_vote_is_named_even_when_re_signed(key):
    files, keys = export(key)
    lines = _pb_lines(files)
    start = lines.index("VOTES") + 2
    voter, _ = lines[start].split(";", 1)
    lines[start] = f"{voter};1,2,3"
    files["election.pb"] = ("\n".join(lines) + "\n").encode()
    resign(files, key, "election.pb")  # even a key holder cannot hide it: the board disagrees
    problems = verify_export(files, keys)
    assert "the bulletin board and election.pb disagree on 1 vote(s)" in problems


def test_one_changed_project_cost_is_named(key):
    files, keys = export(key)
    document = json.loads(files["result.json"])
    document["projects"][2]["cost"] = 45
    files["result.json"] = json.dumps(document).encode()
    resign(files, key, "result.json")
    assert "project 3 costs 40 in election.pb but 45 in result.json" in verify_export(files, keys)


def test_one_changed_selected_flag_is_named(key):
    files, keys = export(key)
    text = files["election.pb"].decode()
    lines = text.splitlines()
    header = lines.index("PROJECTS") + 1
    row = next(i for i in range(header + 1, lines.index("VOTES")) if lines[i].endswith(";0"))
    lines[row] = lines[row][:-1] + "1"
    files["election.pb"] = ("\n".join(lines) + "\n").encode()
    problems = verify_export(files, keys)
    assert problems[0] == "election.pb does not match its signature (the file was changed after signing)"
    assert any("election.pb marks" in problem for problem in problems)


def test_a_wrong_published_selection_fails_the_recount(key):
    files, keys = export(key)
    document = json.loads(files["result.json"])
    for project in document["projects"]:
        project["selected"] = project["id"] == "1"
    document["selected"] = ["1"]
    files["result.json"] = json.dumps(document).encode()
    resign(files, key, "result.json")
    assert any("a recount of election.pb" in problem for problem in verify_export(files, keys))


def test_csv_cells_are_safe_from_formulas(key):
    files, _ = export(key)
    assert "'=HYPERLINK" in files["result.csv"].decode()
    assert [safe_cell(v) for v in ("=1+1", "+x", "-2", "@A", "plain", None)] == \
        ["'=1+1", "'+x", "'-2", "'@A", "plain", ""]


def test_tallying_twice_is_byte_identical():
    first = export(Ed25519PrivateKey.generate())[0]["result.json"]
    second = export(Ed25519PrivateKey.generate())[0]["result.json"]
    assert first == second


def test_the_pb_export_is_stable_for_a_seed_and_hides_the_order():
    election = build_election(BALLOT, PROJECTS, group(CONTENTS))
    result = run_tally(BALLOT, election)
    first = election_pb(election, result, {}, b"ballot secret")
    assert first == election_pb(election, result, {}, b"ballot secret")
    assert first != election_pb(election, result, {}, b"another secret")
    voters = [line.split(";")[0] for line in first.split("VOTES\n", 1)[1].splitlines()[1:]]
    assert len(set(voters)) == len(CONTENTS) and "1" not in voters
