"""election.pb of any ballot (every vote format and every rule greenballot offers, IRV and plurality included,
with or without a threshold) passes pabulib-checker with no error, and its META says how to recount it."""

from __future__ import annotations

import contextlib
import io
from fractions import Fraction

import pytest

from voting.results.exports import election_pb, recorded_tie_break
from voting.results.pbexport import Recount, recorded_recount
from voting.tally import RULES, Ballot, Election, Project, parse_pabulib, supports, tally

PROJECTS = [Project(str(n), Fraction(cost), f"Project {n}") for n, cost in ((1, 40), (2, 30), (3, 30), (4, 20))]
BALLOTS = {
    "approval": [Ballot(("1", "2")), Ballot(("1",)), Ballot(("2", "3")), Ballot(("4",)), Ballot(("1", "3"))],
    "choose-1": [Ballot(("1",)), Ballot(("1",)), Ballot(("2",)), Ballot(("3",)), Ballot(("4",))],
    "ordinal": [Ballot(("1", "2")), Ballot(("2", "1", "3")), Ballot(("3",)), Ballot(("1", "4")), Ballot(("4", "1"))],
    "cumulative": [Ballot(("1", "2"), (3, 2)), Ballot(("1",), (5,)), Ballot(("2", "3"), (1, 4)),
                   Ballot(("4",), (5,)), Ballot(("3", "4"), (2, 3))],
}
META = {"description": "A ballot", "country": "France", "unit": "Clermont-Ferrand", "instance": "ballot-1",
        "currency": "EUR", "date_begin": "01.05.2026", "date_end": "31.05.2026"}
CASES = [(kind, rule, score, share) for kind in BALLOTS for rule in RULES if supports(rule, kind)
         for score, share in ((None, None), (2, None), (None, 30))
         if not (score or share) or rule in ("greedy-threshold", "equalshares", "equalshares/add1",
                                             "equalshares/add1/greedy")]


def checker_errors(text: str) -> dict:
    from pabulib.checker import Checker

    with contextlib.redirect_stdout(io.StringIO()):
        results = Checker().process_files([text])
    (only,) = [v for k, v in results.items() if k not in ("metadata", "summary")]
    return only["results"].get("errors", {})


@pytest.mark.parametrize(("kind", "rule", "score", "share"), CASES)
def test_any_ballots_export_passes_the_checker_and_says_how_to_recount(kind, rule, score, share) -> None:
    election = Election.build(PROJECTS, 80, kind, BALLOTS[kind])
    result = tally(election, rule, threshold=score, min_share=share)
    meta = dict(META) | ({"max_sum_points": "5"} if kind == "cumulative" else {})
    text = election_pb(election, result, meta, b"seed", recount=Recount(rule, result.tie_break, election.vote_type,
                                                                       score, share))
    assert checker_errors(text) == {}
    pb = parse_pabulib(text)
    assert recorded_recount(pb.meta) == (rule, share)
    assert recorded_tie_break(pb.meta) == ",".join(result.tie_break)
    assert "satisfaction:" in pb.meta["comment"]
    again = tally(pb.election(), rule, recorded_tie_break(pb.meta), min_share=share)
    assert sorted(again.selected) == sorted(result.selected) == sorted(pb.selected_ids() or [])
