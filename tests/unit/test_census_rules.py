"""Census rules: normalising and hashing document ids, reading rows, refusing duplicates, the try throttle."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from auth.census.rules import (
    CensusRow,
    HoodIndex,
    age_on,
    derive_census_key,
    key_fingerprint,
    keyed_hash,
    normalise_document,
    parse_birth_date,
    refuse_duplicates,
    retry_after,
    tries_left,
    validate_row,
)
from voting.i18n import use_language

KEY = derive_census_key("test-secret")
TODAY = date(2026, 12, 2)
HOODS = HoodIndex(by_slug={"centre": 1, "nord": 2, "est": 3}, retired=frozenset({"vieux"}),
                  by_postcode={"63000": ["centre"], "63100": ["nord", "est"]})


@pytest.fixture(autouse=True)
def english():
    use_language("en")


@pytest.mark.parametrize("typed", ["ab 12-345", "AB12345", "  ab12345 ", "AB–12 345", "ab\u00a012\u2011345"])
def test_document_ids_are_normalised(typed):
    assert normalise_document(typed) == "AB12345"


def test_keyed_hash_depends_on_the_key_and_the_kind():
    digest = keyed_hash(KEY, "document", "AB12345")
    assert len(digest) == 64 and "AB12345" not in digest
    assert digest == keyed_hash(derive_census_key("test-secret"), "document", "AB12345")
    assert digest != keyed_hash(derive_census_key("another-secret"), "document", "AB12345")
    assert digest != keyed_hash(KEY, "email", "AB12345")
    assert key_fingerprint(KEY) != key_fingerprint(derive_census_key("another-secret"))
    with pytest.raises(ValueError):
        derive_census_key("")


@pytest.mark.parametrize(("text", "expected"), [
    ("1990-05-17", date(1990, 5, 17)), ("17/05/1990", date(1990, 5, 17)), ("7/5/1990", date(1990, 5, 7)),
    ("1990-02-30", None), ("31/02/1990", None), ("05/17/1990", None), ("1990/05/17", None), ("", None),
    ("17-05-1990", None)])
def test_birth_dates(text, expected):
    assert parse_birth_date(text) == expected


def test_age():
    assert age_on(date(2000, 12, 3), TODAY) == 25
    assert age_on(date(2000, 12, 2), TODAY) == 26
    assert age_on(None, TODAY) is None


def row(**values):
    return {"email": "", "document_id": "", "birth_date": "1990-05-17", "neighbourhood": "", "postcode": "",
            **values}


def test_a_good_row_keeps_only_what_matching_needs():
    checked = validate_row(2, row(email=" Ana@Example.ORG ", document_id="ab-12 345", postcode="63000"), HOODS, KEY,
                           TODAY)
    assert checked == CensusRow(2, "ana@example.org", keyed_hash(KEY, "document", "AB12345"), date(1990, 5, 17), 1)


@pytest.mark.parametrize(("values", "reason"), [
    (row(email="not-an-address", neighbourhood="centre"), "the email is not a valid address"),
    (row(document_id="a1", neighbourhood="centre"), "a document number has 4 to 40 letters and digits"),
    (row(document_id="AB12/345", neighbourhood="centre"), "a document number has 4 to 40 letters and digits"),
    (row(neighbourhood="centre"), "no email and no document id"),
    (row(email="a@example.org", birth_date="2027-01-01", neighbourhood="centre"), "the birth date is in the future"),
    (row(email="a@example.org", birth_date="31/02/1990", neighbourhood="centre"), "not a real date"),
    (row(email="a@example.org", birth_date="1850-01-01", neighbourhood="centre"), "before 1900"),
    (row(email="a@example.org", neighbourhood="atlantis"), "unknown neighbourhood atlantis"),
    (row(email="a@example.org", neighbourhood="vieux"), "the neighbourhood vieux is retired"),
    (row(email="a@example.org", postcode="75001"), "no neighbourhood has the postcode 75001"),
    (row(email="a@example.org", postcode="63100"), "the postcode 63100 is in several neighbourhoods (est, nord)"),
])
def test_bad_rows_say_why_without_echoing_personal_data(values, reason):
    checked = validate_row(5, values, HOODS, KEY, TODAY)
    assert isinstance(checked, str) and reason in checked
    assert "ab12/345" not in checked.lower() and "1850" not in checked


def test_the_neighbourhood_column_settles_an_ambiguous_postcode():
    checked = validate_row(3, row(email="a@example.org", postcode="63100", neighbourhood="Est"), HOODS, KEY, TODAY)
    assert isinstance(checked, CensusRow) and checked.neighbourhood_id == 3


def entry(line, email=None, document=None, born=date(1990, 1, 1), hood=1):
    return CensusRow(line, email, keyed_hash(KEY, "document", document) if document else None, born, hood)


def test_duplicate_keys_with_different_data_reject_every_row_naming_the_others():
    rows = [entry(2, "a@example.org"), entry(3, "b@example.org", "X1234"), entry(4, "a@example.org", hood=2),
            entry(5, "c@example.org", "X1234"), entry(6, "d@example.org")]
    kept, problems = refuse_duplicates(rows)
    assert [r.line for r in kept] == [6]
    reasons = {p.line: p.reason for p in problems}
    assert set(reasons) == {2, 3, 4, 5}
    assert "line 4" in reasons[2] and "line 2" in reasons[4] and "line 5" in reasons[3] and "line 3" in reasons[5]


def test_an_exact_repeat_is_stored_once():
    kept, problems = refuse_duplicates([entry(2, "a@example.org", "X1234"), entry(3, "a@example.org", "X1234")])
    assert [r.line for r in kept] == [2]
    assert [(p.line, p.reason) for p in problems] == [(3, "repeats line 2: stored once")]


def test_five_failed_tries_an_hour():
    now = datetime(2026, 12, 2, 12, tzinfo=UTC)
    failures = [now - timedelta(minutes=m) for m in (50, 40, 30, 20)]
    assert tries_left(failures, now) == 1 and retry_after(failures, now) == 0
    failures.append(now - timedelta(minutes=10))
    assert tries_left(failures, now) == 0
    assert retry_after(failures, now) == 10 * 60 + 1
    assert retry_after(failures, now + timedelta(minutes=11)) == 0
    assert tries_left([now - timedelta(hours=2)] * 9, now) == 5
