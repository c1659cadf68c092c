"""What a comment is about: a proposal or a funded project, found with the viewer's right to see it."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from ballots.models import Ballot
from voting.comments.rules import check_kind
from voting.domain import NotFound
from voting.i18n import gettext as _
from voting.proposals.errors import ProposalNotFound
from voting.proposals.models import Proposal
from voting.proposals.service import load_visible

__all__ = ["Subject", "load_subject", "proposal_subject", "funded_project_subject", "page_of"]


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


PAGES = {"proposal": "/proposals/{id}", "funded_project": "/building/{id}"}


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
    return await _funded_project(session, subject_id)


def funded_project_subject(project: Any) -> Subject:
    """A funded project (``voting.followup.models.FundedProject``): public, moderated by its neighbourhood's
    moderators, open to comments whatever its status (an abandoned project's neighbours may still ask why)."""
    return Subject("funded_project", project.id, project.neighbourhood_id, page_of("funded_project", project.id),
                   open=True)


async def _funded_project(session: AsyncSession, project_id: int) -> Subject:
    missing = NotFound(_("There is no funded project {id}.").format(id=project_id))
    try:  # the follow-up area (voting/followup) is a sibling built at the same time: without it, none exists
        model = import_module("voting.followup.models").FundedProject
    except (ImportError, AttributeError):
        raise missing from None
    project = await session.get(model, project_id)
    ballot = await session.get(Ballot, project.ballot_id) if project is not None else None
    if project is None or ballot is None or ballot.status != "published":  # as the follow-up shows them
        raise missing
    return funded_project_subject(project)
