"""Who may support a proposal, and when: pure rules shared by supporting and by the shortlist's count."""

from __future__ import annotations

from dataclasses import dataclass

from voting.i18n import gettext as _

__all__ = ["Supporter", "supporter_refusal", "VALID_SUPPORT_RULE"]

VALID_SUPPORT_RULE = ("A support counts when its account's e-mail is confirmed, its residence verified, and it lives "
                      "in the proposal's neighbourhood (any neighbourhood for a city-wide proposal).")
"""What the shortlist counts (``voting.proposals.shortlist``); supporting refuses anyone else up front."""


@dataclass(frozen=True)
class Supporter:
    email_confirmed: bool
    verified: bool
    neighbourhood_id: int | None


def supporter_refusal(supporter: Supporter, proposal_neighbourhood_id: int | None) -> tuple[str, str] | None:
    """(code, sentence) when this account may not support a proposal of that neighbourhood (None: city-wide)."""
    if not supporter.email_confirmed:
        return "support.email", _("Confirm your e-mail address before supporting proposals (see your account page).")
    if not supporter.verified:
        return "support.verified", _("Verify your residence before supporting proposals (see your account page).")
    if proposal_neighbourhood_id is not None and supporter.neighbourhood_id != proposal_neighbourhood_id:
        return "support.neighbourhood", _("Only residents of this proposal's neighbourhood can support it.")
    return None
