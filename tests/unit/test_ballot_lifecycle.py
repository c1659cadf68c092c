"""The lifecycle table and the clock: closed one second after closes_at whatever the stored status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ballots.lifecycle import Window, accepts_votes, effective_status, transition_refusal, vote_refusal

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


def window(status: str = "open", opens: int = -3600, closes: int = 3600) -> Window:
    return Window(status, NOW + timedelta(seconds=opens), NOW + timedelta(seconds=closes))


def test_votes_follow_the_clock():
    assert accepts_votes(window(), NOW)
    assert vote_refusal(window(), NOW) is None
    late = window(closes=-1)
    assert effective_status(late, NOW) == "closed"
    assert not accepts_votes(late, NOW) and vote_refusal(late, NOW)
    assert vote_refusal(window(opens=10), NOW)
    for status in ("draft", "closed", "tallied", "published", "cancelled"):
        assert vote_refusal(window(status), NOW)


@pytest.mark.parametrize(("status", "target"), [("draft", "open"), ("open", "closed"), ("closed", "tallied"),
                                                ("tallied", "published"), ("draft", "cancelled"),
                                                ("open", "cancelled")])
def test_allowed_transitions(status, target):
    assert transition_refusal(window(status), target, NOW, reason="storm") is None


@pytest.mark.parametrize(("status", "target"), [("draft", "closed"), ("open", "published"), ("closed", "open"),
                                                ("published", "cancelled"), ("tallied", "cancelled"),
                                                ("cancelled", "open"), ("closed", "cancelled")])
def test_forbidden_transitions_say_why(status, target):
    assert transition_refusal(window(status), target, NOW, reason="x")


def test_cancel_needs_a_reason_and_a_late_ballot_is_closed():
    assert transition_refusal(window("draft"), "cancelled", NOW, reason="  ")
    assert transition_refusal(window(closes=-1), "cancelled", NOW, reason="x")
    assert transition_refusal(window(closes=-1), "tallied", NOW) is None
    assert transition_refusal(window("draft", closes=-1, opens=-10), "open", NOW)
