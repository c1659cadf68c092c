"""election.pb of a ballot with constraints: META's comment states them (and the rule, satisfaction, tie-break,
completion, threshold) so that a recount from the file alone honours them; pabulib-checker finds no error."""

from __future__ import annotations

import contextlib
import io
from fractions import Fraction

import pytest

from voting.results.exports import election_pb, recorded_tie_break
from voting.results.pbexport import Recount, constraints_note, recorded_constraints, recorded_recount
from voting.tally import Ballot, Election, Project, parse_pabulib, tally
from voting.tally.constraints import with_constraints

PROJECTS = [Project(str(n), Fraction(cost), f"Project {n}") for n, cost in ((1, 40), (2, 30), (3, 30), (4, 20),
                                                                           (5, 10))]
BALLOTS = [Ballot(("1", "2")), Ballot(("1",)), Ballot(("2", "3")), Ballot(("4",)), Ballot(("1", "2", "3")),
           Ballot(("2", "5")), Ballot(("1", "2"))]
META = {"description": "A ballot", "country": "France", "unit": "Clermont-Ferrand", "instance": "ballot-1",
        "currency": "EUR", "date_begin": "01.05.2026", "date_end": "31.05.2026"}
ODD = 'Place "du" marché;\nnord'
CONSTRAINTS = {"incompatible": [{"name": ODD, "projects": ["1", "2"]}],
               "min_shares": [{"name": "trees", "category": "trees", "percent": 12.5, "projects": ["4"]}],
               "max_shares": [{"name": "Nord", "percent": 70, "projects": ["1", "3"]}],
               "sub_budgets": [{"name": "Sud", "amount": 30, "projects": ["3", "5"]}]}


def checker_errors(text: str) -> dict:
    from pabulib.checker import Checker

    with contextlib.redirect_stdout(io.StringIO()):
        results = Checker().process_files([text])
    (only,) = [v for k, v in results.items() if k not in ("metadata", "summary")]
    return only["results"].get("errors", {})


@pytest.mark.parametrize("rule", ["greedy-threshold", "equalshares", "phragmen", "equalshares/add1"])
def test_the_export_states_its_constraints_and_a_recount_from_meta_alone_honours_them(rule) -> None:
    election = Election.build(PROJECTS, 100, "approval", BALLOTS)
    score, share = (2, 20) if rule != "phragmen" else (None, None)

    def run(fundable: Election) -> object:
        return tally(fundable, rule, threshold=score, min_share=share)

    result = with_constraints(election, CONSTRAINTS, run, ("min-cost", "max-votes", "lexico"), min_score=score,
                              min_share=share)
    plain = tally(election, rule, threshold=score, min_share=share)
    text = election_pb(election, result, META, b"seed",
                       recount=Recount(rule, result.tie_break, election.vote_type, score, share, CONSTRAINTS))
    assert checker_errors(text) == {}
    pb = parse_pabulib(text)
    assert pb.meta["rule"] == "unknown"  # the checker would recount without the constraints
    comment = pb.meta["comment"]
    assert 'incompatible "Place \\"du\\" marché; nord" {1,2}' in comment
    assert 'minimum share 12.5% "trees" {4}' in comment and 'maximum share 70% "Nord" {1,3}' in comment
    assert 'sub-budget 30 "Sud" {3,5}' in comment
    assert "satisfaction:" in comment and (("completion:" in comment) == rule.startswith("equalshares"))
    if score:
        assert "minimum score: 2" in comment and "minimum share of voters: 20%" in comment
    recorded_rule, recorded_share = recorded_recount(pb.meta)
    tie_break = recorded_tie_break(pb.meta)
    limits = recorded_constraints(pb.meta)
    assert limits is not None and limits["incompatible"][0]["name"] == ODD.replace(";\n", "; ")
    again = with_constraints(pb.election(), limits, lambda e: tally(e, recorded_rule, tie_break,
                                                                    min_share=recorded_share), tie_break,
                             min_score=pb.election().threshold, min_share=recorded_share)
    assert sorted(again.selected) == sorted(result.selected) == sorted(pb.selected_ids() or [])
    if rule == "greedy-threshold":
        assert sorted(plain.selected) != sorted(result.selected)  # the constraints changed the outcome


def test_no_constraints_no_note() -> None:
    assert constraints_note(None) == constraints_note({"incompatible": []}) == ""
    assert recorded_constraints({"comment": "#1: greenballot rule: greedy"}) is None
