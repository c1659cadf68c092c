"""A resident's standing on a ballot: 'you can vote', or every reason with the step that fixes it."""

from __future__ import annotations

from datetime import date

import pytest

from ballots.eligibility import Rules, Voter
from ballots.standing import ACCOUNT_URL, RESIDENCE_URL, standing_of
from voting.i18n import use_language

CLOSE = date(2027, 6, 30)
RULES = Rules(7, requires_roll=False, requires_residence=True, min_age=16, requires_verified=True)


def resident(**changes):
    values = dict(on_roll=False, neighbourhood_id=7, birth_date=date(1990, 1, 1), verified=True,
                  email_confirmed=True, residence_source="verified", age_source="verified")
    values.update(changes)
    return Voter(**values)


def reasons(standing):
    return [(r.code, r.fix_url) for r in standing.reasons]


@pytest.fixture(autouse=True)
def english():
    use_language("en")


def test_an_eligible_resident_can_vote_and_sees_where_their_details_come_from():
    standing = standing_of(RULES, resident(), CLOSE, ballot_id=3)
    assert standing.can_vote and standing.reasons == []
    assert (standing.residence_source, standing.age_source) == ("verified", "verified")


def test_nobody_logged_in_is_asked_to_log_in():
    standing = standing_of(RULES, None, CLOSE, ballot_id=3)
    assert not standing.can_vote
    assert reasons(standing) == [("standing.login", "/login?next=/ballots/3")]


@pytest.mark.parametrize(("changes", "code", "fix_url"), [
    ({"email_confirmed": False}, "eligibility.email", ACCOUNT_URL),
    ({"neighbourhood_id": None}, "eligibility.residence_unknown", ACCOUNT_URL),
    ({"birth_date": None}, "eligibility.age_unknown", ACCOUNT_URL),
    ({"verified": False, "residence_source": "declared", "age_source": "declared"}, "eligibility.verified",
     RESIDENCE_URL),
    ({"neighbourhood_id": 8}, "eligibility.residence", None),
    ({"birth_date": date(2011, 7, 1)}, "eligibility.age", None),
])
def test_each_reason_has_its_fix_or_none(changes, code, fix_url):
    standing = standing_of(RULES, resident(**changes), CLOSE, ballot_id=3)
    assert not standing.can_vote
    assert reasons(standing) == [(code, fix_url)]
    if fix_url:
        assert standing.reasons[0].fix


def test_the_age_reason_names_the_age_at_the_close():
    standing = standing_of(RULES, resident(birth_date=date(2011, 7, 1)), CLOSE, ballot_id=3)
    assert "under 16 when voting closes" in standing.reasons[0].message
    assert standing_of(RULES, resident(birth_date=date(2011, 6, 30)), CLOSE, ballot_id=3).can_vote


def test_off_the_roll_is_sent_to_the_ballots_moderators():
    standing = standing_of(Rules(7, requires_roll=True), resident(), CLOSE, ballot_id=3)
    assert reasons(standing) == [("eligibility.roll", None)]
    assert "moderators" in (standing.reasons[0].fix or "")


def test_every_reason_is_listed_at_once_and_declared_details_are_said_to_be_declared():
    fresh = resident(email_confirmed=False, verified=False, neighbourhood_id=None, birth_date=None,
                     residence_source="declared", age_source="declared")
    standing = standing_of(RULES, fresh, CLOSE, ballot_id=3)
    assert [code for code, _ in reasons(standing)] == ["eligibility.email", "eligibility.residence_unknown",
                                                       "eligibility.age_unknown", "eligibility.verified"]
    assert (standing.residence_source, standing.age_source) == (None, None)
    declared = standing_of(Rules(None, requires_verified=False), resident(verified=False, residence_source="declared",
                                                                          age_source="declared"), CLOSE, ballot_id=3)
    assert declared.can_vote and declared.residence_source == "declared"


def test_a_ballot_that_takes_no_vote_now_says_so_first():
    standing = standing_of(RULES, resident(), CLOSE, ballot_id=3, not_open="Voting is closed.")
    assert not standing.can_vote and reasons(standing) == [("ballot.not_open", None)]


def test_a_voter_is_not_assumed_to_have_confirmed_their_email():
    assert not standing_of(RULES, Voter(False, 7, date(1990, 1, 1), True), CLOSE, ballot_id=3).can_vote


def test_french():
    use_language("fr")
    standing = standing_of(RULES, resident(email_confirmed=False), CLOSE, ballot_id=3)
    assert standing.reasons[0].message == "Votre adresse e-mail n’a pas encore été confirmée."
