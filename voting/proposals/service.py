"""Proposal use cases: write, edit, attach a photo, and move through the review workflow, each audited."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, exists
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal, can_moderate
from ballots.models import Ballot, BallotProposal
from voting.audit.service import record
from voting.i18n import gettext as _
from voting.mail.notifications import REVIEW_DECISIONS, notify_proposal_reviewed
from voting.models import Neighbourhood
from voting.proposals.errors import (
    PhotoTooLarge,
    ProposalConflict,
    ProposalForbidden,
    ProposalInvalid,
    ProposalNotFound,
)
from voting.proposals.models import Category, Proposal, ProposalPhoto
from voting.proposals.photo import PhotoRefused, sniff_image
from voting.proposals.rules import (
    MAX_COST,
    ProposalFields,
    ReviewDecision,
    check_proposal,
    check_review,
    missing_for_review,
    read_fields,
)
from voting.proposals.thumbnail import make_thumbnail
from voting.proposals.workflow import EDITABLE_STATES, TransitionRefused, transition

__all__ = ["actor_of", "cost_ceiling", "create_proposal", "update_proposal", "set_photo", "act_on_proposal",
           "load_proposal", "load_visible", "can_view", "ballot_has_opened", "checked_photo", "load_photo",
           "editable_proposal"]


def actor_of(principal: Principal) -> str:
    return f"account:{principal.id}"


def cost_ceiling() -> int:
    """The most a proposal may cost, ``GREENBALLOT_MAX_PROPOSAL_COST`` euros (10 million by default)."""
    value = os.environ.get("GREENBALLOT_MAX_PROPOSAL_COST", "")
    return int(value) if value.isdigit() and int(value) > 0 else MAX_COST


def can_view(proposal: Proposal, viewer: Principal | None) -> bool:
    """Drafts are private to their proposer and the neighbourhood's moderators; everything else is public."""
    if proposal.status != "draft":
        return True
    return viewer is not None and (viewer.id == proposal.proposer_id or can_moderate(viewer, proposal.neighbourhood_id))


async def load_proposal(session: AsyncSession, proposal_id: int, *, lock: bool = False) -> Proposal:
    query = select(Proposal).where(Proposal.id == proposal_id)
    proposal = (await session.exec(query.with_for_update() if lock else query)).first()
    if proposal is None:
        raise ProposalNotFound(proposal_id)
    return proposal


async def load_visible(session: AsyncSession, proposal_id: int, viewer: Principal | None) -> Proposal:
    proposal = await load_proposal(session, proposal_id)
    if not can_view(proposal, viewer):
        raise ProposalNotFound(proposal_id)
    return proposal


async def _checked_fields(session: AsyncSession, raw: Mapping[str, Any], *, draft: bool) -> ProposalFields:
    fields, problems = read_fields(raw)
    categories = set((await session.exec(select(Category.slug).where(col(Category.retired_at).is_(None)))).all())
    hoods = set((await session.exec(select(Neighbourhood.id).where(col(Neighbourhood.retired_at).is_(None)))).all())
    problems += check_proposal(fields, categories=categories, neighbourhoods={h for h in hoods if h is not None},
                               ceiling=cost_ceiling(), draft=draft)
    if problems:
        raise ProposalInvalid(problems)
    return fields


def _columns(fields: ProposalFields) -> dict[str, Any]:
    """The fields as the proposal's columns: a draft without a category has none (NULL), not an empty slug."""
    return {**asdict(fields), "category": fields.category or None}


def checked_photo(content: bytes) -> str:
    """The photo's content type, or the refusal as a 413 (too large) or 422 (not an image)."""
    try:
        return sniff_image(content)
    except PhotoRefused as refused:
        if refused.too_large:
            raise PhotoTooLarge(refused.reason) from None
        raise ProposalInvalid([refused.reason]) from None


async def _store_photo(session: AsyncSession, principal: Principal, proposal: Proposal, content: bytes,
                       content_type: str) -> ProposalPhoto:
    digest = hashlib.sha256(content).hexdigest()
    assert proposal.id is not None
    photo = await session.get(ProposalPhoto, proposal.id)
    thumbnail = make_thumbnail(content)
    if photo is None:
        photo = ProposalPhoto(proposal_id=proposal.id, content_type=content_type, content=content, sha256=digest,
                              thumbnail=thumbnail)
    else:
        photo.content_type, photo.content, photo.sha256, photo.thumbnail = content_type, content, digest, thumbnail
        photo.uploaded_at = datetime.now(UTC)
    session.add(photo)
    await record(session, actor=actor_of(principal), action="proposal.photo_set", subject=f"proposal:{proposal.id}",
                 data={"content_type": content_type, "bytes": len(content), "sha256": digest})
    return photo


async def create_proposal(session: AsyncSession, principal: Principal, raw: Mapping[str, Any], *,
                          photo: bytes | None = None, submit: bool = False) -> Proposal:
    """A draft, which needs only a title (or, with ``submit``, a complete proposal waiting for review); all input
    is checked before any write."""
    fields = await _checked_fields(session, raw, draft=not submit)
    content_type = checked_photo(photo) if photo else None
    proposal = Proposal(**_columns(fields), proposer_id=principal.id, status="draft")
    session.add(proposal)
    await session.flush()
    await record(session, actor=actor_of(principal), action="proposal.created", subject=f"proposal:{proposal.id}",
                 data={"neighbourhood_id": proposal.neighbourhood_id, "category": proposal.category,
                       "estimated_cost": proposal.estimated_cost})
    if photo and content_type:
        await _store_photo(session, principal, proposal, photo, content_type)
    if submit:
        await act_on_proposal(session, principal, proposal.id or 0, "submit")
    return proposal


def _require_editable(proposal: Proposal, principal: Principal) -> None:
    if not can_view(proposal, principal):
        raise ProposalNotFound(proposal.id or 0)
    if proposal.proposer_id != principal.id:
        raise ProposalForbidden(_("Only the proposer can change this proposal."))
    if proposal.status not in EDITABLE_STATES:
        raise ProposalConflict(_("A proposal in state {state} cannot be changed.").format(state=proposal.status))


async def update_proposal(session: AsyncSession, principal: Principal, proposal_id: int, raw: Mapping[str, Any], *,
                          photo: bytes | None = None, submit: bool = False) -> Proposal:
    """Replace the fields of a draft or of a proposal sent back for changes, by its proposer; only a draft that
    is not being submitted may lack anything but its title."""
    proposal = await load_proposal(session, proposal_id, lock=True)
    _require_editable(proposal, principal)
    fields = await _checked_fields(session, raw, draft=proposal.status == "draft" and not submit)
    content_type = checked_photo(photo) if photo else None
    changed = sorted(name for name, value in _columns(fields).items() if getattr(proposal, name) != value)
    for name, value in _columns(fields).items():
        setattr(proposal, name, value)
    session.add(proposal)
    await session.flush()
    await record(session, actor=actor_of(principal), action="proposal.edited", subject=f"proposal:{proposal.id}",
                 data={"fields": changed})
    if photo and content_type:
        await _store_photo(session, principal, proposal, photo, content_type)
    await session.refresh(proposal)
    return proposal


async def editable_proposal(session: AsyncSession, principal: Principal, proposal_id: int) -> Proposal:
    """The proposal, when the principal proposed it and it can still be changed (404, 403, 409 otherwise)."""
    proposal = await load_proposal(session, proposal_id)
    _require_editable(proposal, principal)
    return proposal


async def set_photo(session: AsyncSession, principal: Principal, proposal_id: int, content: bytes) -> ProposalPhoto:
    """Attach or replace the photo of an editable proposal."""
    proposal = await load_proposal(session, proposal_id, lock=True)
    _require_editable(proposal, principal)
    content_type = checked_photo(content)
    photo = await _store_photo(session, principal, proposal, content, content_type)
    await session.flush()
    return photo


async def ballot_has_opened(session: AsyncSession, proposal_id: int) -> bool:
    """True when the proposal is on a ballot that is neither a draft nor cancelled."""
    on_live_ballot = exists().where(
        col(BallotProposal.proposal_id) == proposal_id, col(BallotProposal.ballot_id) == col(Ballot.id),
        col(Ballot.status).not_in(("draft", "cancelled")),
    )
    return bool((await session.exec(select(on_live_ballot))).one())  # type: ignore[call-overload]


async def _leave_draft_ballots(session: AsyncSession, proposal_id: int) -> list[int]:
    """Take a withdrawn proposal off the shortlists of draft ballots; returns those ballots' ids."""
    drafts = select(Ballot.id).where(col(Ballot.status) == "draft")
    removed = await session.exec(  # type: ignore[call-overload]
        delete(BallotProposal).where(col(BallotProposal.proposal_id) == proposal_id,
                                     col(BallotProposal.ballot_id).in_(drafts))
        .returning(col(BallotProposal.ballot_id)))
    return sorted(removed.scalars().all())


def _fields_of(proposal: Proposal) -> ProposalFields:
    return ProposalFields(title=proposal.title, summary=proposal.summary, description=proposal.description,
                          category=proposal.category or "", neighbourhood_id=proposal.neighbourhood_id,
                          estimated_cost=proposal.estimated_cost)


async def act_on_proposal(session: AsyncSession, principal: Principal, proposal_id: int, action: str, *,
                          message: str = "", validated_cost: int | None = None) -> Proposal:
    """Take one workflow action; the audit entry records who did what, with the moderator's words."""
    proposal = await load_proposal(session, proposal_id, lock=True)
    if not can_view(proposal, principal):
        raise ProposalNotFound(proposal_id)
    ballot_open = action == "withdraw" and await ballot_has_opened(session, proposal_id)
    try:
        target = transition(proposal.status, action, actor_is_proposer=proposal.proposer_id == principal.id,
                            actor_can_moderate=can_moderate(principal, proposal.neighbourhood_id),
                            ballot_open=ballot_open)
    except TransitionRefused as refused:
        raise (ProposalForbidden if refused.forbidden else ProposalConflict)(refused.reason) from None
    if action == "submit":
        incomplete = missing_for_review(_fields_of(proposal))
        if incomplete:
            raise ProposalInvalid(list(incomplete))
    message = message.strip()
    problems = check_review(ReviewDecision(action, message, validated_cost), ceiling=cost_ceiling())
    if problems:
        raise ProposalInvalid(problems)
    now = datetime.now(UTC)
    data: dict[str, Any] = {"from": proposal.status, "to": target}
    if action == "submit":
        proposal.submitted_at = now
    elif action in ("accept", "reject", "request_changes"):
        proposal.reviewed_at = now
        proposal.moderator_message = message
        data["message"] = message
        if action == "accept":
            proposal.validated_cost, proposal.feasibility_note = validated_cost, message
            data["validated_cost"] = validated_cost
    if target == "withdrawn":
        removed = await _leave_draft_ballots(session, proposal_id)
        if removed:
            data["removed_from_ballots"] = removed
    proposal.status = target
    session.add(proposal)
    await session.flush()
    await record(session, actor=actor_of(principal), action=f"proposal.{target}", subject=f"proposal:{proposal.id}",
                 data=data)
    if action in REVIEW_DECISIONS:
        await notify_proposal_reviewed(session, proposal, action, message)
    await session.refresh(proposal)
    return proposal


async def load_photo(session: AsyncSession, proposal_id: int, viewer: Principal | None) -> ProposalPhoto:
    """The photo of a proposal the viewer may see, or 404."""
    await load_visible(session, proposal_id, viewer)
    photo = await session.get(ProposalPhoto, proposal_id)
    if photo is None:
        raise ProposalNotFound(proposal_id)
    return photo
