"""Voter roll CSV: accepted entries, and each rejected row with its line and reason."""

from __future__ import annotations

from datetime import date

import pytest

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


def reasons(text: str) -> dict[int, str]:
    from voting.i18n import use_language

    use_language("en")
    try:
        return {r.line: r.reason for r in parse_roll(text, HOODS, date(2026, 11, 25)).rejected}
    finally:
        use_language("fr")


def emails(text: str) -> list[str | None]:
    return [e.email for e in parse_roll(text, HOODS, date(2026, 11, 25)).entries]


def test_a_bad_row_is_rejected_and_the_rest_of_the_file_is_read():
    text = ("email;birth_date\n"
            "a@example.org;1990-01-01\n"
            "nul\x00@example.org;1990-01-01\n"
            "long@example.org;" + "x" * 200_000 + "\n"
            '"quote@example.org;1990-01-01\n'
            "c@example.org;1990-01-01;extra\n"
            "d@example.org;1990-01-01\n")
    assert emails(text) == ["a@example.org", "d@example.org"]
    found = reasons(text)
    assert sorted(found) == [3, 4, 5, 6]
    assert "NUL" in found[3] and "longer than" in found[4] and "unterminated quote" in found[5]
    assert "3 fields" in found[6]


@pytest.mark.parametrize("address", ["bad-email", "a@b", "a b@example.org", "a@@example.org", 'a"@example.org',
                                     "<a@example.org>", "a@example.org,b@example.org", "x" * 65 + "@example.org"])
def test_an_invalid_email_is_never_accepted(address):
    assert emails(f"email\n{address}\nok@example.org\n") == ["ok@example.org"]


def test_rows_that_disagree_on_a_key_are_all_rejected():
    text = ("email;external_id;birth_date\n"
            "a@example.org;A1;1990-01-01\n"
            "b@example.org;;1980-01-01\n"
            "a@example.org;;1991-01-01\n"      # same e-mail as line 2, another birth date
            "c@example.org;A1;\n"              # same external id as line 2, another e-mail
            "b@example.org;;1980-01-01\n"      # repeats line 3
            "b@example.org;B2;\n")             # adds an external id to line 3: kept, it updates the entry
    found = reasons(text)
    assert "conflicts with line 4, 5" in found[2] and "conflicts with line 2" in found[4]
    assert "conflicts with line 2" in found[5]
    assert found[6] == "repeats line 3: stored once"
    assert [(e.line, e.email, e.external_id) for e in parse_roll(text, HOODS, date(2026, 11, 25)).entries] == [
        (3, "b@example.org", None), (7, "b@example.org", "B2")]


def test_header_aliases_and_french_messages():
    roll = parse_roll("Courriel;Date de naissance;Quartier\nana@example.org;01/02/1990;Montferrand\n;;\n",
                      HOODS, date(2026, 1, 1))
    assert [(e.email, e.birth_date, e.neighbourhood_id) for e in roll.entries] == [
        ("ana@example.org", date(1990, 2, 1), 2)]
    assert roll.rejected[0].reason == "aucune valeur pour courriel"


def test_a_huge_conflict_stays_linear():
    import time

    text = "email;birth_date\n" + "".join(f"same@example.org;19{50 + n % 40}-01-01\n" for n in range(20_000))
    start = time.process_time()
    roll = parse_roll(text, HOODS, date(2026, 11, 25))
    assert time.process_time() - start < 2.0
    assert roll.entries == [] and len(roll.rejected) == 20_000
    assert roll.rejected[0].reason.startswith(("conflicts with line 3, 4, 5, 6, 7, ...", "en conflit avec la ligne 3"))
