"""The vote screen's pure parts: refusals placed beside their control, review lines, the fields that carry a
choice to the final submit, and the browser memory key."""

from __future__ import annotations

from dataclasses import dataclass

from ballots.forms import choice_from_form
from ballots.vote_screen import hidden_fields, memory_key, place_reasons, review_lines


@dataclass(frozen=True)
class P:
    proposal_id: int
    title: str
    cost: int


PROJECTS = [P(1, "Orchard", 100), P(2, "Garden", 200), P(3, "Roofs", 300)]


class Form(dict):  # type: ignore[type-arg]
    """A posted form: several values per name."""

    def items(self):  # type: ignore[no-untyped-def]
        return [(key, values[-1]) for key, values in super().items()]

    def getall(self, key, default):  # type: ignore[no-untyped-def]
        return super().get(key, default)


def test_reasons_go_beside_their_control():
    placed = place_reasons([{"code": "vote.over_budget", "message": "over"},
                            {"code": "vote.too_many", "message": "many"},
                            {"code": "vote.points_total", "message": "points"},
                            {"code": "vote.under_budget", "message": "under"}])
    assert placed == {"budget": ["over", "under"], "points": ["points"], "choice": ["many"]}


def test_review_lines_follow_the_format():
    assert [line.title for line in review_lines(PROJECTS, {"projects": [3, 1]}, "knapsack")] == ["Orchard", "Roofs"]
    ranked = review_lines(PROJECTS, {"projects": [3, 1]}, "ranked")
    assert [(line.rank, line.title) for line in ranked] == [(1, "Roofs"), (2, "Orchard")]
    points = review_lines(PROJECTS, {"points": {"2": 3, "3": 0}}, "cumulative")
    assert [(line.title, line.points) for line in points] == [("Garden", 3)]
    assert review_lines(PROJECTS, {"projects": [9, "x"]}, "approval") == []


def test_hidden_fields_read_back_as_the_same_choice():
    for vote_format, choice in (("knapsack", {"projects": [1, 3]}), ("ranked", {"projects": [3, 1]}),
                                ("cumulative", {"points": {"1": 2, "3": 1}}), ("choose-one", {"projects": [2]})):
        form = Form()
        for name, value in hidden_fields(choice, vote_format):
            form.setdefault(name, []).append(value)
        assert choice_from_form(form, vote_format) == choice, vote_format


def test_memory_key_is_per_ballot_and_voter_and_names_neither():
    key = memory_key(7, "a1b2")
    assert key.startswith("greenballot.vote.7.") and "a1b2" not in key
    assert key != memory_key(7, "other") and key != memory_key(8, "a1b2") and key == memory_key(7, "a1b2")
