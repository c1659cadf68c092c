"""Eligibility: the roll, residence, age at the close (not today), verification and a confirmed e-mail."""

from __future__ import annotations

from datetime import date

from ballots.eligibility import Rules, age_band, age_on, refusals
from ballots.eligibility import Voter as _Voter

CLOSE = date(2027, 6, 30)


def Voter(on_roll, neighbourhood_id, birth_date, verified, email_confirmed=True):  # noqa: N802
    """A voter whose e-mail is confirmed unless said otherwise (the rules below are about the rest)."""
    return _Voter(on_roll, neighbourhood_id, birth_date, verified, email_confirmed=email_confirmed)


def codes(rules: Rules, voter: Voter) -> set[str]:
    return {reason.code for reason in refusals(rules, voter, CLOSE)}


def test_an_eligible_voter_has_no_refusal():
    assert codes(Rules(7, requires_roll=True), Voter(True, 7, date(2000, 1, 1), True)) == set()


def test_each_rule_gives_its_reason():
    rules = Rules(7, requires_roll=True)
    assert codes(rules, Voter(False, 7, date(2000, 1, 1), True)) == {"eligibility.roll"}
    assert codes(rules, Voter(True, 8, date(2000, 1, 1), True)) == {"eligibility.residence"}
    assert codes(rules, Voter(True, None, date(2000, 1, 1), True)) == {"eligibility.residence_unknown"}
    assert codes(rules, Voter(True, 7, date(2012, 1, 1), True)) == {"eligibility.age"}
    assert codes(rules, Voter(True, 7, None, True)) == {"eligibility.age_unknown"}
    assert codes(rules, Voter(True, 7, date(2000, 1, 1), False)) == {"eligibility.verified"}
    assert codes(rules, Voter(True, 7, date(2000, 1, 1), True, False)) == {"eligibility.email"}


def test_a_confirmed_email_is_required_even_by_relaxed_rules_and_is_not_assumed():
    relaxed = Rules(7, requires_residence=False, min_age=None, requires_verified=False)
    assert codes(relaxed, Voter(False, None, None, False, False)) == {"eligibility.email"}
    assert codes(relaxed, _Voter(False, None, None, True)) == {"eligibility.email"}


def test_age_counts_at_the_close():
    born = date(2011, 6, 30)  # 16 on the closing day
    assert age_on(born, CLOSE) == 16
    assert codes(Rules(7), Voter(False, 7, born, True)) == set()
    assert codes(Rules(7), Voter(False, 7, date(2011, 7, 1), True)) == {"eligibility.age"}


def test_city_wide_and_relaxed_rules():
    assert codes(Rules(None), Voter(False, 3, date(1990, 1, 1), True)) == set()
    relaxed = Rules(7, requires_residence=False, min_age=None, requires_verified=False)
    assert codes(relaxed, Voter(False, None, None, False)) == set()


def test_age_bands():
    assert age_band(None, CLOSE) == "unknown"
    assert age_band(date(2010, 1, 1), CLOSE) == "under 18"
    assert age_band(date(1990, 1, 1), CLOSE) == "35-49"
    assert age_band(date(1950, 1, 1), CLOSE) == "65+"
