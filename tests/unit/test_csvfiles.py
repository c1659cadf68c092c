"""Strict CSV tables: a bad row is rejected with its physical line, the rest of the file is still read."""

from __future__ import annotations

import pytest

from voting.csvfiles import read_table
from voting.i18n import use_language

KEYS = [["email", "external_id"]]


@pytest.fixture(autouse=True)
def english():
    use_language("en")
    yield
    use_language("fr")


def read(text: str, **options):
    return read_table(text, required=options.pop("required", KEYS), **options)


def test_rows_keep_their_physical_line_and_stripped_values():
    table = read("\ufeffEMAIL;External_ID;birth_date\n\n a@b.org ;;1990-01-01\r\n;X1;\n")
    assert table.error is None and table.rejected == []
    assert [(row.line, row.values) for row in table.rows] == [
        (3, {"email": "a@b.org", "external_id": "", "birth_date": "1990-01-01"}),
        (4, {"email": "", "external_id": "X1", "birth_date": ""})]


def test_the_delimiter_is_sniffed_from_the_header():
    assert read("email,birth_date\na@b.org,x;y\n").rows[0].values == {"email": "a@b.org", "birth_date": "x;y"}
    assert read("email;name\na@b.org;Dupont, Jean\n").rows[0].values["name"] == "Dupont, Jean"


@pytest.mark.parametrize(("line", "reason"), [
    ("a\x00@b.org;x", "NUL"),
    ("a@b.org;" + "x" * 200_000, "longer than 1000"),
    ("a@b.org;" + "x" * 1001, "longer than 1000"),
    ("a@b.org;x;y", "3 fields"),
    ("a@b.org", "1 fields"),
    ('"a@b.org;x', "unterminated quote"),
    ('"a@b.org"x;y', "badly quoted"),
    (";x", "no value for email"),
])
def test_a_bad_row_is_rejected_and_reading_recovers_at_the_next_line(line, reason):
    table = read(f"email;name\nfirst@b.org;1\n{line}\nlast@b.org;3\n")
    assert table.error is None
    assert [row.values["email"] for row in table.rows] == ["first@b.org", "last@b.org"]
    assert [(r.line, reason in r.reason) for r in table.rejected] == [(3, True)]


def test_a_quoted_delimiter_or_quote_is_kept():
    table = read('email;name\n"a@b.org";"Dupont; ""Jean"""\n')
    assert table.rows[0].values == {"email": "a@b.org", "name": 'Dupont; "Jean"'}


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"),
    ("\ufeff\n \n", "empty"),
    ("name;age\nx;3\n", "email / external_id"),
    ("email;email\na;b\n", "twice"),
    ('"email;name\n', "header"),
    ("email\x00;name\n", "header"),
])
def test_a_file_that_cannot_be_read_says_why(text, message):
    table = read(text)
    assert table.error and message in table.error
    assert table.rows == [] and table.rejected == []


def test_every_required_group_needs_a_column():
    table = read("email;name\na@b.org;x\n", required=[["email"], ["birth_date", "born"]])
    assert table.error and "birth_date / born" in table.error


def test_too_many_rows_refuse_the_file():
    table = read("email\n" + "a@b.org\n" * 4, max_rows=3)
    assert table.error and "3" in table.error and table.rows == []
    assert read("email\n" + "a@b.org\n" * 3, max_rows=3).error is None


def test_a_custom_field_limit():
    table = read("email;note\na@b.org;" + "x" * 20 + "\n", max_field=10)
    assert table.rows == [] and table.rejected[0].line == 2


def test_reasons_are_in_the_callers_language():
    use_language("fr")
    table = read('email;name\n"a@b.org;x\n')
    assert table.rejected[0].reason == "guillemet non refermé"
