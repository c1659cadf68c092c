"""Calendar rules: a neighbourhood's own dates override the city's, the current phase, windows, and checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from voting.calendar.rules import (
    PHASES,
    Dated,
    applicable,
    calendar_problems,
    current_phase,
    timeline,
    window_of,
    window_refusal,
)
from voting.i18n import use_language

T0 = datetime(2027, 1, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


CITY = [Dated(phase, day(10 * i), day(10 * i + 10)) for i, phase in enumerate(PHASES)]
OWN_SUPPORTS = Dated("supports", day(5), day(25), neighbourhood_id=4)


def test_a_neighbourhood_follows_the_city_except_where_it_has_its_own_dates():
    rows = [*CITY, OWN_SUPPORTS, Dated("vote", day(0), day(1), neighbourhood_id=9)]
    mine = applicable(rows, 4)
    assert list(mine) == list(PHASES)
    assert mine["supports"] == OWN_SUPPORTS and mine["vote"] == CITY[3]
    assert applicable(rows, None)["supports"] == CITY[1]  # the city's own, never another neighbourhood's
    assert applicable(rows, 9)["vote"].neighbourhood_id == 9


def test_the_current_phase_and_the_states_of_the_timeline():
    assert current_phase(CITY, None, day(15)) == "supports"
    assert current_phase(CITY, None, day(10)) == "supports"  # a phase starts at its first moment...
    assert current_phase(CITY, None, day(20)) == "review"  # ...and ends just before its last
    assert current_phase(CITY, None, day(-1)) is None and current_phase(CITY, None, day(99)) is None
    states = [entry.state for entry in timeline(CITY, None, day(25))]
    assert states == ["past", "past", "current", "upcoming", "upcoming"]
    # Overlapping phases: the later one in the process's order is the current one.
    assert current_phase([*CITY, OWN_SUPPORTS], 4, day(22)) == "review"


def test_timeline_follows_the_process_order_not_the_insertion_order():
    assert [entry.phase for entry in timeline(list(reversed(CITY)), None, day(0))] == list(PHASES)


def test_the_supports_window_and_its_refusals():
    window = window_of([*CITY, OWN_SUPPORTS], "supports", 4)
    assert window == OWN_SUPPORTS
    assert window_refusal(window, day(4)) == "not_yet"
    assert window_refusal(window, day(5)) is None
    assert window_refusal(window, day(25)) == "over"


def test_without_a_calendar_supports_stay_open():
    assert window_of([], "supports", 4) is None
    assert window_refusal(None, day(0)) is None
    assert timeline([], 4, day(0)) == [] and current_phase([], 4, day(0)) is None


def test_calendar_problems_name_every_mistake():
    use_language("en")
    assert calendar_problems([("vote", day(0), day(1)), ("supports", day(1), day(2))]) == []
    problems = calendar_problems([("lottery", day(0), day(1)), ("vote", day(2), day(1)), ("vote", day(0), None),
                                  ("review", datetime(2027, 1, 1), datetime(2027, 1, 2))])
    assert problems == ["Unknown phase lottery: use one of proposals, supports, review, vote, results.",
                        "The phase Voting must end after it starts.", "The phase Voting appears twice.",
                        "Give both dates of the phase Voting.",
                        "The dates of the phase Review by the city need a time zone."]
    assert calendar_problems([("vote", day(1), day(1))]) == ["The phase Voting must end after it starts."]


def test_french_labels():
    use_language("fr")
    assert calendar_problems([("review", day(1), day(0))]) == ["La phase Examen par la ville doit finir après avoir "
                                                               "commencé."]
