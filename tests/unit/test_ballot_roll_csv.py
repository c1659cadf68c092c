"""Voter roll CSV: accepted entries, and each rejected row with its line and reason."""

from __future__ import annotations

from datetime import date

from ballots.roll_csv import parse_roll

HOODS = {"centre-jaude": 1, "montferrand": 2, "1": 1}


def test_rows_are_accepted_or_rejected_with_a_reason():
    text = ("email;external_id;birth_date;quartier\n"
            "Ana@Example.org;;1990-05-01;centre-jaude\n"
            ";X-77;02/03/2001;Montferrand\n"
            "bad-email;;;\n"
            ";;1990-01-01;\n"
            "b@example.org;;31/02/2000;\n"
            "c@example.org;;;Atlantis\n"
            "ana@example.org;;;\n"
            "\n")
    roll = parse_roll(text, HOODS, date(2026, 11, 25))
    assert [(e.email, e.external_id, e.birth_date, e.neighbourhood_id) for e in roll.entries] == [
        ("ana@example.org", None, date(1990, 5, 1), 1), (None, "X-77", date(2001, 3, 2), 2)]
    assert [r.line for r in roll.rejected] == [4, 5, 6, 7, 8]


def test_a_header_without_a_key_column_is_rejected():
    assert parse_roll("name,age\nx,3\n", HOODS, date(2026, 1, 1)).rejected[0].line == 1
    assert parse_roll("", HOODS, date(2026, 1, 1)).rejected
