"""Which lifecycle moves a moderator is offered now (ballots.lifecycle.allowed_transitions), no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ballots.lifecycle import CONFIRMED_TRANSITIONS, Window, allowed_transitions

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(("status", "opens", "closes", "expected"), [
    ("draft", NOW + DAY, NOW + 9 * DAY, ["open", "cancelled"]),
    ("draft", NOW - 9 * DAY, NOW - DAY, ["cancelled"]),  # its closing date has passed: it cannot open
    ("open", NOW - DAY, NOW + DAY, ["closed", "cancelled"]),
    ("open", NOW - 9 * DAY, NOW - DAY, ["tallied"]),  # closed by the clock: counting is next
    ("closed", NOW - 9 * DAY, NOW - DAY, ["tallied"]),
    ("tallied", NOW - 9 * DAY, NOW - DAY, ["published"]),
    ("published", NOW - 9 * DAY, NOW - DAY, []),
    ("cancelled", NOW - 9 * DAY, NOW - DAY, []),
])
def test_only_the_moves_allowed_now_are_offered(status, opens, closes, expected):
    assert allowed_transitions(Window(status, opens, closes), NOW) == expected


def test_irreversible_moves_are_confirmed():
    assert CONFIRMED_TRANSITIONS == {"closed", "cancelled", "published"}
