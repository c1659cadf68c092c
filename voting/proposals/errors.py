"""The refusals of the proposals area, each with the HTTP status it becomes."""

from __future__ import annotations

from collections.abc import Sequence

from voting.errors import DomainError
from voting.i18n import gettext as _

__all__ = ["ProposalInvalid", "ProposalNotFound", "ProposalForbidden", "ProposalConflict", "PhotoTooLarge",
           "BallotNotFound"]


class ProposalInvalid(DomainError):
    """Input that cannot be stored; ``extra`` lists every reason."""

    status_code = 422

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__(" ".join(reasons), extra=[str(reason) for reason in reasons])
        self.reasons = list(reasons)  # may be rules.Problem, which also names the form field


class ProposalNotFound(DomainError):
    status_code = 404

    def __init__(self, proposal_id: int) -> None:
        super().__init__(_("There is no proposal {id}.").format(id=proposal_id))


class BallotNotFound(DomainError):
    status_code = 404

    def __init__(self, ballot_id: int) -> None:
        super().__init__(_("There is no ballot {id}.").format(id=ballot_id))


class ProposalForbidden(DomainError):
    status_code = 403


class ProposalConflict(DomainError):
    status_code = 409


class PhotoTooLarge(DomainError):
    status_code = 413
