"""Compare the rules: each rule's outcome and every voter group's money per voter, against a plain loop."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voting.tally import Ballot, Election, Project, VoteType, tally
from voting.tally.rule_comparison import compare_rules

CHAIN = ("min-cost", "max-votes", "lexico")


def plain(election: Election, rules: tuple[str, ...]) -> dict[str | None, tuple[int, list[Fraction]]]:
    """Voter by voter: group = most supported project on the ballot (ties: cheaper, then smaller id)."""
    votes = {p.id: sum(p.id in b.projects for b in election.ballots) for p in election.projects}
    cost = {p.id: p.cost for p in election.projects}
    funded = [set(tally(election, r, CHAIN).selected) for r in rules]
    groups: dict[str | None, tuple[int, list[Fraction]]] = {}
    for ballot in election.ballots:
        if not ballot.projects:
            continue
        group = min(ballot.projects, key=lambda p: (-votes[p], cost[p], p))
        size, money = groups.get(group, (0, [Fraction(0)] * len(rules)))
        money = [m + sum((cost[p] / votes[p] for p in ballot.projects if p in f), Fraction(0))
                 for m, f in zip(money, funded, strict=True)]
        groups[group] = (size + 1, money)
    return groups


@st.composite
def elections(draw: st.DrawFn) -> Election:
    n = draw(st.integers(1, 6))
    projects = [Project(f"p{i}", Fraction(draw(st.integers(1, 12)))) for i in range(n)]
    ids = [p.id for p in projects]
    ballots = [Ballot(tuple(draw(st.lists(st.sampled_from(ids), unique=True, max_size=n))))
               for _ in range(draw(st.integers(1, 12)))]
    return Election.build(projects, draw(st.integers(0, 30)), VoteType.APPROVAL, ballots)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_groups_match_the_voter_by_voter_definition(election: Election) -> None:
    rules = ("greedy", "equalshares/add1", "phragmen")
    comparison = compare_rules(election, CHAIN, max_groups=100)
    assert [o.rule for o in comparison.outcomes] == list(rules)
    for outcome in comparison.outcomes:
        assert outcome.selected == tally(election, outcome.rule, CHAIN).selected
    expected = plain(election, rules)
    assert {g.project: (g.voters, list(g.per_voter)) for g in comparison.groups} == {
        group: (size, [m / size for m in money]) for group, (size, money) in expected.items()}
    sizes = [g.voters for g in comparison.groups]
    assert sizes == sorted(sizes, reverse=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.integers(1, 3))
def test_merged_groups_keep_every_voter_and_every_amount(election: Election, shown: int) -> None:
    full = compare_rules(election, CHAIN, max_groups=100)
    cut = compare_rules(election, CHAIN, max_groups=shown)
    assert len(cut.groups) <= shown + 1
    assert sum(g.voters for g in cut.groups) == sum(g.voters for g in full.groups)
    for k in range(len(full.outcomes)):
        assert sum(g.per_voter[k] * g.voters for g in cut.groups) == sum(g.per_voter[k] * g.voters for g in full.groups)


def test_equal_shares_serves_the_minority_that_greedy_leaves_out() -> None:
    # 6 voters want the park projects, 4 the library: greedy spends everything on the parks, Equal Shares gives
    # the library's voters their share
    projects = [Project("park1", Fraction(5)), Project("park2", Fraction(5)), Project("library", Fraction(4))]
    ballots = [Ballot(("park1", "park2"))] * 6 + [Ballot(("library",))] * 4
    election = Election.build(projects, 10, VoteType.APPROVAL, ballots)
    comparison = compare_rules(election, CHAIN)
    by_rule = {o.rule: o for o in comparison.outcomes}
    assert set(by_rule["greedy"].selected) == {"park1", "park2"}
    assert "library" in by_rule["equalshares/add1"].selected
    assert by_rule["greedy"].satisfied == 6 and by_rule["equalshares/add1"].satisfied == 10
    library = next(g for g in comparison.groups if g.project == "library")
    assert library.voters == 4 and library.per_voter[0] == 0 and library.per_voter[1] == 1
    parks = comparison.groups[0]
    five_sixths = Fraction(5, 6)
    assert (parks.project, parks.voters, parks.per_voter) == ("park1", 6, (Fraction(5, 3), five_sixths, five_sixths))
    assert comparison.as_dict()["groups"][1] == {"project": "library", "voters": 4, "per_voter": [0, 1, 1]}


def test_reuses_a_known_result_and_skips_rules_the_ballots_do_not_allow() -> None:
    projects = [Project("a", Fraction(1)), Project("b", Fraction(1))]
    election = Election.build(projects, 1, VoteType.ORDINAL, [Ballot(("a", "b")), Ballot(("b", "a"))])
    comparison = compare_rules(election, CHAIN)
    assert [o.rule for o in comparison.outcomes] == ["greedy"]
    known = tally(election, "greedy", CHAIN)
    assert compare_rules(election, CHAIN, known={"irv": tally(election, "irv", CHAIN)},
                         rules=("irv", "greedy")).outcomes[1].selected == known.selected
