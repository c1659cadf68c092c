"""The ballot form's constraint rows without a server: read from a posted form, written back from stored
constraints, and every refusal placed beside its field."""

from __future__ import annotations

from litestar.datastructures import FormMultiDict

from ballots.constraints import GroupReason, ProjectFacts, resolve_constraints
from ballots.formats import Reason
from ballots.settings_form import (
    GroupRow,
    Placed,
    constraints_from_rows,
    place_reasons,
    rows_from_constraints,
    rows_from_form,
    validation_reasons,
)
from voting.i18n import use_language


def test_filled_rows_are_read_in_order_and_empty_ones_skipped():
    form = FormMultiDict([("incompatible-3-name", "Site"), ("incompatible-3-projects", "4"),
                          ("incompatible-3-projects", "7"), ("incompatible-0-name", ""), ("incompatible-1-name", "A"),
                          ("incompatible-1-projects", "x"), ("min_shares-0-target", "category:trees"),
                          ("min_shares-0-value", "12,5"), ("sub_budgets-0-value", "40 000"),
                          ("sub_budgets-0-target", "neighbourhood:nord")])
    assert rows_from_form(form, "incompatible") == [GroupRow("A"), GroupRow("Site", [4, 7])]
    rows = {kind: rows_from_form(form, kind) for kind in ("incompatible", "min_shares", "sub_budgets")}
    data, problems = constraints_from_rows(rows)
    assert problems == []
    assert data == {"incompatible": [{"name": "A", "projects": []}, {"name": "Site", "projects": [4, 7]}],
                    "min_shares": [{"name": "", "projects": [], "category": "trees", "percent": 12.5}],
                    "sub_budgets": [{"name": "", "projects": [], "neighbourhood": "nord", "amount": 40_000}]}
    assert constraints_from_rows({"incompatible": []}) == (None, [])


def test_what_cannot_be_read_is_placed_on_its_row():
    data, problems = constraints_from_rows({"max_shares": [GroupRow("Arbres", value="beaucoup")],
                                            "sub_budgets": [GroupRow("Nord", [1], "neighbourhood:nord", "12.5")]})
    assert [p.field for p in problems] == ["max_shares-0-value", "sub_budgets-0", "sub_budgets-0-value"]
    assert data is not None and data["max_shares"][0]["percent"] is None


def test_stored_constraints_come_back_as_the_rows_that_made_them():
    rows = {"incompatible": [GroupRow("Site", [1, 3])], "min_shares": [GroupRow("", [], "category:trees", "20")],
            "max_shares": [GroupRow("Nord", [], "neighbourhood:nord", "60.5")], "sub_budgets": [GroupRow("S", [2],
                                                                                                          "", "500")]}
    data, _ = constraints_from_rows(rows)
    facts = {1: ProjectFacts("trees", "nord"), 2: ProjectFacts("benches", "sud"), 3: ProjectFacts("trees", "sud")}
    stored, reasons = resolve_constraints(data, facts, 1000)
    assert reasons == []
    back = rows_from_constraints(stored)
    assert back["incompatible"] == rows["incompatible"] and back["sub_budgets"] == rows["sub_budgets"]
    assert back["min_shares"] == [GroupRow("trees", [], "category:trees", "20")]  # named after its category
    assert back["max_shares"] == rows["max_shares"]


def test_refusals_go_beside_their_field_or_row():
    _, reasons = resolve_constraints({"incompatible": [{"projects": [1, 3]}, {"name": "Seul", "projects": [1]}]},
                                     {1: ProjectFacts(None, None), 3: ProjectFacts(None, None)}, 100)
    assert [(r.code, getattr(r, "field", "")) for r in reasons] == [("constraints.incompatible", "incompatible-1")]
    assert isinstance(reasons[0], GroupReason)
    placed = place_reasons([Reason("threshold.share", "share"), Reason("other", "whole form"), *reasons])
    assert [p.field for p in placed] == ["min_voter_share", "", "incompatible-1"]
    use_language("en")
    errors = [{"type": "int_parsing", "loc": ("min_project_score",)},
              {"type": "string_too_long", "loc": ("constraints", "incompatible", 2, "name")}]
    assert validation_reasons(errors, {"min_project_score": "Score", "incompatible": "Groups"}) == [
        Placed("min_project_score", "Score: Enter a number."), Placed("incompatible-2", "Groups: This is too long.")]
