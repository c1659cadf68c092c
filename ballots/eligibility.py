"""Who may vote on a ballot: the voter roll, residence, age at the close, a verified account, a confirmed e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ballots.formats import Reason
from voting.i18n import gettext as _

__all__ = ["Rules", "Voter", "refusals", "age_on", "age_band", "AGE_BANDS"]

AGE_BANDS = ("under 18", "18-24", "25-34", "35-49", "50-64", "65+", "unknown")


@dataclass(frozen=True)
class Rules:
    neighbourhood_id: int | None  # None: city-wide
    requires_roll: bool = False
    requires_residence: bool = True
    min_age: int | None = 16
    requires_verified: bool = True


@dataclass(frozen=True)
class Voter:
    """What is known of a voter: their account, completed by their roll entry when there is one.

    ``email_confirmed`` is False until the account's owner followed the confirmation link (a paper voter, whose
    identity a poll officer checked in person, counts as confirmed). ``residence_source`` and ``age_source`` say
    where the neighbourhood and birth date come from: ``roll`` (the city's voter roll), ``verified`` (census or
    desk), ``declared`` (typed by the resident, not checked), or None when unknown.
    """

    on_roll: bool
    neighbourhood_id: int | None
    birth_date: date | None
    verified: bool
    email_confirmed: bool = False
    residence_source: str | None = None
    age_source: str | None = None


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_band(birth: date | None, day: date) -> str:
    if birth is None:
        return "unknown"
    age = age_on(birth, day)
    for limit, band in ((18, "under 18"), (25, "18-24"), (35, "25-34"), (50, "35-49"), (65, "50-64")):
        if age < limit:
            return band
    return "65+"


def refusals(rules: Rules, voter: Voter, closes_on: date) -> list[Reason]:
    """Every reason this voter may not vote; empty when they may."""
    reasons: list[Reason] = []
    if not voter.email_confirmed:
        reasons.append(Reason("eligibility.email", _("Your e-mail address has not been confirmed yet.")))
    if rules.requires_roll and not voter.on_roll:
        reasons.append(Reason("eligibility.roll", _("You are not on this ballot's voter roll.")))
    if rules.requires_residence:
        if voter.neighbourhood_id is None:
            reasons.append(Reason("eligibility.residence_unknown",
                                  _("Your neighbourhood of residence is not known.")))
        elif rules.neighbourhood_id is not None and voter.neighbourhood_id != rules.neighbourhood_id:
            reasons.append(Reason("eligibility.residence",
                                  _("This ballot is for residents of another neighbourhood.")))
    if rules.min_age is not None:
        if voter.birth_date is None:
            reasons.append(Reason("eligibility.age_unknown",
                                  _("Your birth date is not known, so your age cannot be checked.")))
        elif age_on(voter.birth_date, closes_on) < rules.min_age:
            reasons.append(Reason("eligibility.age", _("You must be at least {age} when voting closes.").format(
                age=rules.min_age)))
    if rules.requires_verified and not voter.verified:
        reasons.append(Reason("eligibility.verified", _("Your account has not been verified yet.")))
    return reasons
