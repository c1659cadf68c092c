"""Refusals of the ballots area, each with its HTTP status; reasons travel in ``extra``."""

from __future__ import annotations

from collections.abc import Sequence

from ballots.formats import Reason
from voting.errors import DomainError

__all__ = ["BallotNotFound", "NotAllowed", "ForbiddenTransition", "InvalidBallot", "InvalidVote", "NotEligible",
           "VotingClosed", "IdempotencyConflict", "ChannelConflict", "ReceiptNotFound", "reasons_extra"]


def reasons_extra(reasons: Sequence[Reason]) -> list[dict[str, str]]:
    return [{"code": reason.code, "message": reason.message} for reason in reasons]


class BallotNotFound(DomainError):
    status_code = 404


class ReceiptNotFound(DomainError):
    status_code = 404


class NotAllowed(DomainError):
    """Only moderators of the ballot's neighbourhood and admins manage a ballot."""

    status_code = 403


class ForbiddenTransition(DomainError):
    status_code = 409


class VotingClosed(DomainError):
    status_code = 409


class IdempotencyConflict(DomainError):
    """An idempotency key reused with another vote: replaying would hide the change, recording would break the key."""

    status_code = 422


class ChannelConflict(DomainError):
    """A voter who voted on paper cannot vote online, and the other way round."""

    status_code = 409


class _WithReasons(DomainError):
    def __init__(self, message: str, reasons: Sequence[Reason]) -> None:
        super().__init__(message, extra=reasons_extra(reasons))
        self.reasons = list(reasons)


class InvalidBallot(_WithReasons):
    status_code = 422


class InvalidVote(_WithReasons):
    status_code = 422


class NotEligible(_WithReasons):
    status_code = 403
