"""Rule semantics and explanations on hand-made elections."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from voting.tally import (
    CODES,
    Ballot,
    Election,
    ElectionError,
    Project,
    RuleError,
    TieBreakError,
    VoteType,
    parse_tie_break,
    tally,
)


def approval(costs: dict[str, int], budget: int, ballots: list[str]) -> Election:
    projects = [Project(pid, Fraction(c), f"Project {pid}") for pid, c in costs.items()]
    return Election.build(projects, budget, VoteType.APPROVAL, [Ballot(tuple(b)) for b in ballots])


def test_greedy_skips_what_does_not_fit_and_explains_it() -> None:
    election = approval({"a": 6, "b": 5, "c": 3}, 10, ["ab", "ab", "a", "a", "bc"])
    result = tally(election, "greedy")
    assert result.selected == ("a", "c")
    b = result.explanation("b").as_dict()
    assert b == {"project": "b", "code": "over-budget", "selected": False, "rank": 2, "score": 3, "cost": 5, "left": 4}
    assert tally(election, "greedy-no-skip").selected == ("a",)
    assert tally(election, "greedy-no-skip").explanation("c").code == "not-reached"


def test_greedy_threshold_and_scores_by_ballot_type() -> None:
    election = approval({"a": 1, "b": 1}, 10, ["a", "a", "b"])
    result = tally(election, "greedy-threshold", threshold=2)
    assert result.selected == ("a",)
    assert result.explanation("b").as_dict()["code"] == "below-threshold"
    ranked = Election.build([Project("x", Fraction(1)), Project("y", Fraction(1))], 1, VoteType.ORDINAL,
                            [Ballot(("x", "y")), Ballot(("y",))], max_length=2)
    assert tally(ranked, "greedy").explanation("y").facts["score"] == 2  # 1 + 1 (L-r+1, L = ballot length)
    points = Election.build([Project("x", Fraction(1)), Project("y", Fraction(1))], 1, VoteType.CUMULATIVE,
                            [Ballot(("x", "y"), (1, 4)), Ballot(("x",), (2,))])
    assert tally(points, "greedy").selected == ("y",)


@pytest.mark.parametrize(
    ("chain", "first"),
    [("min-cost", "cheap"), ("max-cost", "dear"), ("max-votes", "popular"), ("lexico", "cheap")],
)
def test_tie_breaks(chain: str, first: str) -> None:
    # All three score 3 points; max-votes counts supporters (3 for "popular"), not points.
    projects = [Project("cheap", Fraction(1)), Project("dear", Fraction(3)), Project("popular", Fraction(2))]
    ballots = [Ballot(("cheap",), (3,)), Ballot(("dear",), (3,))] + [Ballot(("popular",), (1,))] * 3
    election = Election.build(projects, 1, VoteType.CUMULATIVE, ballots)
    assert tally(election, "greedy-no-skip", chain).explanation(first).facts["rank"] == 1


def test_tie_break_parsing() -> None:
    assert parse_tie_break("min-cost, lexico") == ("min-cost", "lexico")
    with pytest.raises(TieBreakError):
        parse_tie_break("cheapest")
    with pytest.raises(TieBreakError):
        parse_tie_break("lexico,lexico")


def test_equal_shares_explains_payments_and_underfunding() -> None:
    election = approval({"a": 30, "b": 30, "c": 40}, 100, ["ab", "ab", "c", "a"])
    result = tally(election, "equalshares")
    assert result.selected == ("a", "b")
    a = result.explanation("a").as_dict()
    assert a["code"] == "mes-selected" and a["payments"] == [{"amount": 10, "voters": 3}]
    c = result.explanation("c").as_dict()
    assert c == {"project": "c", "code": "underfunded", "selected": False, "cost": 40, "held": 25}
    assert set(CODES) >= {e.code for e in result.explanations}
    json.dumps(result.as_dict(explain=True))


def test_add1_then_greedy_completes() -> None:
    election = approval({"a": 30, "b": 30, "c": 40}, 100, ["ab", "ab", "c", "a"])
    result = tally(election, "equalshares/add1/greedy")
    assert set(result.selected) == {"a", "b", "c"}
    assert result.explanation("c").code in {"completed", "mes-selected"}


def test_irv_eliminates_all_last_together_and_plurality() -> None:
    projects = [Project(x, Fraction(1)) for x in "abc"]
    ballots = [Ballot(("a",))] * 3 + [Ballot(("b", "c"))] * 2 + [Ballot(("c", "b"))] * 2
    ranked = Election.build(projects, 1, VoteType.ORDINAL, ballots)
    result = tally(ranked, "irv")
    assert result.selected == ("a",)  # b and c are eliminated together in round 1
    assert result.explanation("b").as_dict() == {"project": "b", "code": "eliminated", "selected": False,
                                                  "round": 1, "votes": 2}
    single = Election.build(projects, 1, VoteType.CHOOSE_ONE, [Ballot(("b",)), Ballot(("c",))])
    assert tally(single, "plurality").selected == ("b",)  # tie on votes, equal cost and votes: lexico


def test_withdrawn_projects_never_win() -> None:
    election = approval({"a": 999_999_999, "b": 5}, 2_000_000_000, ["a", "a", "b"])
    for rule in ("greedy", "greedy-no-skip", "equalshares", "phragmen"):
        result = tally(election, rule)
        assert "a" not in result.selected
        assert result.explanation("a").code == "withdrawn"


def test_bad_elections_and_rules_are_refused() -> None:
    with pytest.raises(ElectionError):
        approval({"a": 1}, 1, ["b"])
    with pytest.raises(ElectionError):
        Election.build([Project("a", Fraction(-1))], 1, VoteType.APPROVAL, [])
    election = approval({"a": 1}, 1, ["a"])
    with pytest.raises(RuleError):
        tally(election, "irv")
    with pytest.raises(RuleError):
        tally(election, "borda")


def test_empty_and_tiny_elections() -> None:
    nobody = approval({"a": 1}, 1, [])
    for rule in ("greedy", "equalshares", "equalshares/add1", "phragmen"):
        assert tally(nobody, rule).total_cost <= 1
    one = approval({"a": 1}, 1, ["a"])
    assert tally(one, "equalshares/add1").selected == ("a",)
