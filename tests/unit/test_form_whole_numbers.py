"""The ballot forms read a number only when ``int`` can: a "²" (a digit to ``isdigit``), "--5" or 5,000 digits is
left as typed for the schema to refuse beside its field, never a ValueError (a 500)."""

from __future__ import annotations

import pytest
from litestar.datastructures import FormMultiDict as MultiDict

from ballots.forms import ballot_from_form, choice_from_form, digits
from ballots.settings_form import rows_from_form
from ballots.settings_pages import group_fields
from ballots.votes import parse_choice_text

ODD = ["\u00b2", "9" * 5000, "--5", "-\u00b2"]


@pytest.mark.parametrize("text", ODD)
def test_what_int_cannot_read_is_not_a_whole_number(text: str) -> None:
    assert not digits(text.removeprefix("-"))


def test_whole_numbers_in_any_decimal_script_are_read() -> None:
    assert digits("42") and digits("\u0664\u0662") and not digits("") and not digits("4 2")


@pytest.mark.parametrize("text", ODD)
def test_the_vote_form_leaves_them_as_typed(text: str) -> None:
    assert choice_from_form(MultiDict([("projects", text)]), "approval") == {"projects": [text]}
    assert choice_from_form(MultiDict([(f"points_{text}", text)]), "cumulative") == {"points": {text: text}}
    assert choice_from_form(MultiDict([(f"rank_{text}", "1")]), "ranked") == {"projects": []}


@pytest.mark.parametrize("text", ODD)
def test_the_ballot_and_group_forms_leave_them_as_typed(text: str) -> None:
    form = MultiDict([("neighbourhood_id", text), ("proposal_ids", text), ("budget", text),
                      ("max_projects", text), ("ballot_ids", text), ("city_ballot_id", text),
                      ("extra_districts", text), (f"incompatible-{text}-name", "x"),
                      ("incompatible-0-name", "y"), ("incompatible-0-projects", text)])
    fields = ballot_from_form(form)
    assert fields["neighbourhood_id"] is None and fields["proposal_ids"] == []
    assert fields["budget"] == text and fields["max_projects"] == text
    assert [(row.name, row.projects) for row in rows_from_form(form, "incompatible")] == [("y", [])]
    group = group_fields(form)
    assert group["ballot_ids"] == [] and group["city_ballot_id"] is None and group["extra_districts"] == text


@pytest.mark.parametrize("text", ODD)
def test_a_paper_vote_typed_as_text_leaves_them_as_typed(text: str) -> None:
    assert parse_choice_text(f"1 {text}", cumulative=False) == {"projects": [1, text]}
    assert parse_choice_text(f"1:{text}", cumulative=True) == {"points": {"1": text.strip()}}
