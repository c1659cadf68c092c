"""The proposals area's route handlers, for the app factory."""

from __future__ import annotations

from typing import Any

from voting.proposals.api import ProposalAPI, ShortlistAPI
from voting.proposals.form_pages import ProposalFormPages
from voting.proposals.pages import ProposalPages
from voting.proposals.review_pages import ReviewPages

__all__ = ["PROPOSAL_HANDLERS"]

PROPOSAL_HANDLERS: list[Any] = [ProposalAPI, ShortlistAPI, ProposalPages, ProposalFormPages, ReviewPages]
