"""Pure parts of the web guards: the JSON depth gauge, https detection, the policies, cookie flags."""

from __future__ import annotations

import json

import pytest

from auth.clients import parse_trusted_proxies
from voting.web.json_depth import JsonDepthGauge, JsonTooDeep
from voting.web.security import CONTENT_SECURITY_POLICY, MAIL_PREVIEW_POLICY, is_https, policy_for


def feed(text: str, size: int, limit: int = 32) -> JsonDepthGauge:
    gauge = JsonDepthGauge(limit)
    data = text.encode()
    for start in range(0, len(data), size):
        gauge.feed(data[start:start + size])
    return gauge


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_depth_limit_in_any_chunking(size: int) -> None:
    assert feed("[" * 32 + "]" * 32, size).depth == 0
    with pytest.raises(JsonTooDeep):
        feed("[" * 33 + "]" * 33, size)
    with pytest.raises(JsonTooDeep):
        feed('{"a":' * 40 + "1" + "}" * 40, size)


@pytest.mark.parametrize("size", [1, 2, 5, 1000])
def test_brackets_in_strings_and_escapes_do_not_count(size: int) -> None:
    text = json.dumps({"title": "[" * 100 + "{" * 100, "quote": 'a \\" [[[ \\\\', "more": ["\\[" * 50]})
    assert feed(text, size).depth == 0
    text = json.dumps([{"t": '\\"' + "[" * 60}] * 40)  # many openers in all, shallow structure
    assert feed(text, size).depth == 0


def test_policies() -> None:
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self';", "img-src 'self' data:",
                      "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'", "object-src 'none'"):
        assert directive in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert policy_for("/dev/mail/3") == MAIL_PREVIEW_POLICY and "script-src 'self';" in MAIL_PREVIEW_POLICY
    assert policy_for("/proposals") == policy_for("/dev/mail") == CONTENT_SECURITY_POLICY


def test_https_from_a_trusted_proxy_only() -> None:
    trusted = parse_trusted_proxies("10.0.0.0/8, ::1")
    forwarded = [(b"x-forwarded-proto", b"https")]
    assert is_https({"scheme": "https", "client": ("203.0.113.1", 1)}, ())  # type: ignore[typeddict-item]
    assert is_https({"scheme": "http", "client": ("10.2.3.4", 1), "headers": forwarded}, trusted)  # type: ignore
    assert is_https({"scheme": "http", "client": ("::1", 1), "headers": forwarded}, trusted)  # type: ignore
    assert not is_https({"scheme": "http", "client": ("203.0.113.1", 1), "headers": forwarded}, trusted)  # type: ignore
    assert not is_https({"scheme": "http", "client": ("10.2.3.4", 1), "headers": forwarded}, ())  # type: ignore
    assert not is_https({"scheme": "http", "client": ("10.2.3.4", 1),  # type: ignore
                         "headers": [(b"x-forwarded-proto", b"https, http")]}, trusted)


FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "Verger"]


def test_election_pb_names_are_formula_safe_and_recount_the_same(tmp_path) -> None:  # type: ignore[no-untyped-def]
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
    from voting.results.exports import bulletin_csv, bulletin_json, election_pb, result_csv, result_json
    from voting.results.signing import sign_bytes
    from voting.results.verify import verify_export
    from voting.tally import parse_pabulib, tally

    ballot = BallotInput(7, "=cmd|' /C calc'!A0", "knapsack", 100, "greedy", "min-cost,max-votes,lexico")
    projects = [ProjectInput(n, name, 20 + 7 * n) for n, name in enumerate(FORMULAS, start=1)]
    contents = [{"projects": [1, 2]}, {"projects": [3, 4]}, {"projects": [2, 5]}, {"projects": [6, 1]},
                {"projects": [2]}, {"projects": [4, 6]}]
    election = build_election(ballot, projects, group(contents))
    result = run_tally(ballot, election)
    text = election_pb(election, result, {"description": "=EVIL()", "unit": "+Ville"}, b"seed")
    section = text.split("PROJECTS\n")[1].split("VOTES\n")[0].splitlines()
    name_at = section[0].split(";").index("name")
    cells = [line.split(";")[name_at].strip('"') for line in section[1:]]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t")) for cell in cells), cells
    assert "'=HYPERLINK" in text and "description;'=EVIL()" in text and "unit;'+Ville" in text
    assert "Verger" in cells  # ordinary names unchanged

    recount = tally(parse_pabulib(text).election(), "greedy", ("min-cost", "max-votes", "lexico"))
    assert sorted(recount.selected) == sorted(result.selected)
    pytest.importorskip("pabutools")
    from pabutools.election import Cost_Sat
    from pabutools.election import parse_pabulib as pabutools_parse
    from pabutools.rules import greedy_utilitarian_welfare

    path = tmp_path / "election.pb"
    path.write_text(text, encoding="utf-8")
    instance, profile = pabutools_parse(str(path))
    chosen = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    assert sorted(str(p.name) for p in chosen) == sorted(result.selected)

    key = Ed25519PrivateKey.generate()
    document = result_document(ballot, projects, election, result, input_digest(ballot, projects, group(contents)))
    rows = [(f"{n:064x}", f"c{n}", content) for n, content in enumerate(contents)]
    files = {"result.json": result_json(document), "result.csv": result_csv(document).encode(),
             "election.pb": text.encode(), "bulletin.json": bulletin_json(ballot.ballot_id, rows, len(rows)),
             "bulletin.csv": bulletin_csv(rows).encode()}
    for name in list(files):
        if name != "bulletin.csv":
            files[f"{name}.sig"] = sign_bytes(name, files[name], key, "sig-1").encode()
    assert verify_export(files, {"sig-1": key.public_key()}) == []


def test_request_schemas_refuse_control_characters_naming_the_field() -> None:
    from auth.schemas import AccountUpdate
    from ballots.schemas import BallotUpdate
    from voting.admin.schemas import CategoryCreate, NeighbourhoodUpdate, SettingsUpdate
    from voting.fields import TextRefused
    from voting.proposals.schemas import ProposalCreate

    cases = [(ProposalCreate, {"title": "Parc\u202e"}, "title"), (ProposalCreate, {"summary": "a\x00"}, "summary"),
             (ProposalCreate, {"description": "x\u2066y"}, "description"), (AccountUpdate, {"display_name": "E\x1b"},
                                                                              "display_name"),
             (BallotUpdate, {"title": "Vote\u200f"}, "title"), (NeighbourhoodUpdate, {"name_en": "N\x85"}, "name_en"),
             (CategoryCreate, {"slug": "c", "name_fr": "\u202ax", "name_en": "x"}, "name_fr"),
             (SettingsUpdate, {"city_name": "Ville\u2028"}, "city_name")]
    for schema, values, field in cases:
        with pytest.raises(TextRefused) as refused:
            schema(**values)
        assert refused.value.field == field and refused.value.status_code == 422
    assert ProposalCreate(title="Arbres", description="Un\n\tdeux\r\n").description == "Un\n\tdeux\r\n"
    with pytest.raises(TextRefused):
        ProposalCreate(title="Deux\nlignes")
