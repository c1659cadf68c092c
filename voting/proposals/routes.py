"""The proposals area's route handlers, for the app factory."""

from __future__ import annotations

from typing import Any

from voting.proposals.api import ProposalAPI, ShortlistAPI

__all__ = ["PROPOSAL_HANDLERS"]

PROPOSAL_HANDLERS: list[Any] = [ProposalAPI, ShortlistAPI]
