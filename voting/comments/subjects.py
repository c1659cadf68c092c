"""What a comment is about: a proposal or a funded project, found with the viewer's right to see it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from voting.comments.rules import check_kind
from voting.domain import NotFound
from voting.i18n import gettext as _
from voting.proposals.errors import ProposalNotFound
from voting.proposals.models import Proposal
from voting.proposals.service import load_visible

__all__ = ["Subject", "load_subject", "proposal_subject", "page_of"]


@dataclass(frozen=True)
class Subject:
    kind: str
    id: int
    neighbourhood_id: int | None
    """Whose moderators moderate its comments (None: city-wide, admins)."""
    path: str
    """The page that shows the discussion."""
    open: bool
    """Whether it takes new comments (a draft proposal does not)."""


PAGES = {"proposal": "/proposals/{id}", "funded_project": "/followup/{id}"}


def page_of(kind: str, subject_id: int, comment_id: int | None = None) -> str:
    """The page showing the discussion, at the comment when one is named."""
    return PAGES[kind].format(id=subject_id) + (f"#comment-{comment_id}" if comment_id else "#comments")


def proposal_subject(proposal: Proposal) -> Subject:
    assert proposal.id is not None
    return Subject("proposal", proposal.id, proposal.neighbourhood_id, page_of("proposal", proposal.id),
                   open=proposal.status != "draft")


async def load_subject(session: AsyncSession, kind: str, subject_id: int, viewer: Principal | None) -> Subject:
    """The subject as ``viewer`` may see it; 404 when it does not exist or is hidden from them."""
    check_kind(kind)
    if kind == "proposal":
        try:
            return proposal_subject(await load_visible(session, subject_id, viewer))
        except ProposalNotFound as missing:
            raise NotFound(missing.message) from None
    # Funded projects (voting/followup) are being built beside comments: until their table exists, none is found.
    raise NotFound(_("There is no funded project {id}.").format(id=subject_id))
