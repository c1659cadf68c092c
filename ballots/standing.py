"""Where a resident stands before voting: 'you can vote', or each reason why not with the step that fixes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ballots.eligibility import Rules, Voter, refusals
from voting.i18n import gettext as _

__all__ = ["Hindrance", "Standing", "standing_of", "ACCOUNT_URL", "RESIDENCE_URL"]

ACCOUNT_URL = "/account"
RESIDENCE_URL = "/account/residence"


@dataclass(frozen=True)
class Hindrance:
    """One reason a resident cannot vote: a stable code, a sentence, and the step that fixes it if there is one."""

    code: str
    message: str
    fix: str | None = None
    fix_url: str | None = None


@dataclass(frozen=True)
class Standing:
    can_vote: bool
    reasons: list[Hindrance] = field(default_factory=list)
    residence_source: str | None = None  # roll | verified | declared | None
    age_source: str | None = None
    neighbourhood_id: int | None = None
    birth_date: date | None = None


def _fix(code: str, ballot_id: int) -> tuple[str | None, str | None]:
    """The step that lifts a refusal, and where to take it; (None, None) when nothing the resident does helps."""
    if code == "eligibility.email":
        return _("Confirm your e-mail address with the link we sent you, or send the link again."), ACCOUNT_URL
    if code == "eligibility.residence_unknown":
        return _("Declare your neighbourhood on your account page."), ACCOUNT_URL
    if code == "eligibility.age_unknown":
        return _("Declare your birth date on your account page."), ACCOUNT_URL
    if code == "eligibility.verified":
        return (_("Verify your residence online with your identity document, or at a city desk with a moderator."),
                RESIDENCE_URL)
    if code == "eligibility.roll":
        return _("If you think you should be on it, ask the moderators of this ballot."), None
    if code == "standing.login":
        return _("Log in, or register if you have no account yet."), f"/login?next=/ballots/{ballot_id}"
    return None, None


def _message(code: str, message: str, rules: Rules) -> str:
    """The sentence shown to the resident: clearer wording for the refusals a resident can read as blame."""
    if code == "eligibility.residence":
        return _("You live in another neighbourhood: this ballot is only for its residents.")
    if code == "eligibility.age" and rules.min_age is not None:
        return _("You will be under {age} when voting closes; this ballot is for people aged {age} or more."
                 ).format(age=rules.min_age)
    if code == "eligibility.verified":
        return _("Your residence has not been verified yet.")
    return message


def standing_of(rules: Rules, voter: Voter | None, closes_on: date, *, ballot_id: int,
                not_open: str | None = None) -> Standing:
    """Every reason the voter (None: nobody logged in) cannot vote on this ballot now, each with its fix.

    ``not_open`` is why the ballot takes no vote at this moment (not started, closed, cancelled), if it does not.
    """
    reasons: list[Hindrance] = []
    if not_open:
        reasons.append(Hindrance("ballot.not_open", not_open))
    if voter is None:
        fix, url = _fix("standing.login", ballot_id)
        reasons.append(Hindrance("standing.login", _("Log in to vote."), fix, url))
        return Standing(False, reasons)
    for refusal in refusals(rules, voter, closes_on):
        fix, url = _fix(refusal.code, ballot_id)
        reasons.append(Hindrance(refusal.code, _message(refusal.code, refusal.message, rules), fix, url))
    return Standing(not reasons, reasons, voter.residence_source if voter.neighbourhood_id is not None else None,
                    voter.age_source if voter.birth_date is not None else None, voter.neighbourhood_id,
                    voter.birth_date)
