"""Grouped ballots' pure rules: the group's settings, and "own district plus N others" against its definition."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ballots.groups.rules import GroupMember, allowed_districts, change_refusal, district_refusal, group_problems


def member(ballot_id: int, district: int | None, status: str = "draft", residence: bool = False,
           group: int | None = None) -> GroupMember:
    return GroupMember(ballot_id, district, status, residence, group)


def codes(extra: int, members: list[GroupMember], city: int | None = None) -> set[str]:
    return {reason.code for reason in group_problems(extra, members, city)}


def test_a_sound_group_has_no_problem():
    assert codes(1, [member(1, 10), member(2, 20), member(3, 30), member(9, None)], city=9) == set()
    assert codes(0, [member(1, 10), member(2, 20)]) == set()


def test_each_wrong_group_is_refused_with_its_reason():
    assert codes(0, [member(1, 10)]) == {"group.size"}
    assert codes(2, [member(1, 10), member(2, 20), member(3, 30)]) == {"group.extra"}  # everyone everywhere
    assert codes(0, [member(1, 10), member(2, 10)]) == {"group.district"}
    assert codes(0, [member(1, 10), member(2, None), member(3, 30)]) == {"group.district"}
    assert codes(0, [member(1, 10), member(2, 20, residence=True)]) == {"group.residence"}
    assert codes(0, [member(1, 10), member(2, 20, status="open")]) == {"group.status"}
    assert codes(0, [member(1, 10), member(2, 20, group=4)]) == {"group.taken"}
    assert codes(0, [member(1, 10), member(2, 20), member(9, 30)], city=9) == {"group.city"}


def test_own_district_plus_one():
    assert district_refusal(10, [], 10, 1) is None
    assert district_refusal(10, [10], 20, 1) is None
    refused = district_refusal(10, [10, 20], 30, 1)
    assert refused is not None and refused.code == "group.limit"
    assert district_refusal(10, [10, 20], 20, 1) is None  # voting again replaces that district's vote
    assert district_refusal(10, [20], 10, 1) is None  # one's own district is always open
    assert district_refusal(None, [20], 30, 1) is not None  # no known district: N districts in all


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared, loaded machine
@given(st.one_of(st.none(), st.integers(0, 4)), st.integers(0, 3), st.lists(st.integers(0, 4), max_size=12))
def test_the_incremental_rule_keeps_exactly_the_sets_the_definition_allows(own, extra, attempts):
    """Voting in districts one at a time (the lock serialises a voter's votes), the rule accepts a district exactly
    when the districts voted in, with it, still satisfy the definition; and what is kept always satisfies it."""
    voted: set[int] = set()
    for target in attempts:
        refused = district_refusal(own, voted, target, extra)
        assert (refused is None) == allowed_districts(own, voted | {target}, extra)
        if refused is None:
            voted.add(target)
        assert allowed_districts(own, voted, extra)
    brute = {d for d in range(5) if d == own or d in attempts}
    assert voted <= brute


def test_a_group_changes_only_while_all_its_ballots_are_drafts():
    from voting.i18n import use_language

    assert change_refusal([member(1, 10), member(2, 20), member(9, None)]) is None
    assert change_refusal([]) is None
    for status, (language, words) in zip(("open", "closed", "published", "cancelled"), [
            ("en", "Ballot 2 of this group is no longer a draft"), ("fr", "Le scrutin 2 de ce groupe n’est plus")] * 2,
            strict=True):
        use_language(language)
        refusal = change_refusal([member(3, 30, status), member(1, 10), member(2, 20, status)])
        assert refusal is not None and refusal.code == "group.frozen"
        assert refusal.message.startswith(words)  # the first ballot that is no longer a draft, by number
