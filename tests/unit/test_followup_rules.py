"""The follow-up's pure rules: which projects a result funds, allowed changes, milestones, volunteering."""

from __future__ import annotations

from datetime import date

import pytest

from voting.followup.rules import (
    MilestoneFields,
    ProjectChange,
    check_change,
    check_milestone,
    funded_in,
    next_work_day,
    volunteering_refusal,
)


def test_funded_projects_by_proposal_number_or_by_label():
    projects = [(11, None, 500), (12, None, 700), (13, None, 900)]
    assert funded_in(["13", "11"], projects) == [(13, 900), (11, 500)]
    imported = [(11, "p1", 500), (12, "p2", 700)]
    assert funded_in(["p2"], imported) == [(12, 700)]
    assert funded_in(["12"], [(11, "p1", 500), (12, "p1", 700)]) == [(12, 700)]  # labels repeat: numbers
    assert funded_in(["99"], projects) == []


@pytest.mark.parametrize(("current", "target", "ok"), [
    ("planned", "in_progress", True), ("in_progress", "done", True), ("done", "in_progress", True),
    ("abandoned", "planned", True), ("in_progress", "planned", False), ("done", "abandoned", False),
])
def test_moves(current, target, ok):
    change = ProjectChange(target, 100 if target == "done" else 10, 0, "A reason." if target == "abandoned" else "")
    assert (check_change(current, change) == []) is ok


def test_each_refusal_is_named():
    unknown = check_change("planned", ProjectChange("built", 0, 0))
    assert len(unknown) == 1 and "built" in unknown[0]
    problems = check_change("in_progress", ProjectChange("done", 90, -1))
    assert len(problems) == 2 and "100" in problems[0]
    assert len(check_change("planned", ProjectChange("abandoned", 0, 0, "  "))) == 1
    assert check_change("planned", ProjectChange("planned", 101, 0)) != []


def test_milestones_need_a_title_a_date_and_a_known_kind():
    assert check_milestone(MilestoneFields("work_day", "Planting", "", date(2027, 3, 6))) == []
    assert len(check_milestone(MilestoneFields("party", " ", "x" * 5001, None))) == 4


def test_who_may_volunteer():
    assert volunteering_refusal("planned", email_confirmed=True) is None
    assert volunteering_refusal("planned", email_confirmed=False) is not None
    assert volunteering_refusal("done", email_confirmed=True) is not None


def test_the_next_work_day():
    days = [("work_day", date(2027, 3, 1)), ("milestone", date(2027, 3, 3)), ("work_day", date(2027, 3, 20)),
            ("work_day", date(2027, 3, 9))]
    assert next_work_day(days, date(2027, 3, 2)) == date(2027, 3, 9)
    assert next_work_day(days, date(2027, 3, 9)) == date(2027, 3, 9)
    assert next_work_day(days, date(2027, 4, 1)) is None
