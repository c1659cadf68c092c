"""Follow-up use cases: open the funded projects of a published result, change a project's status, progress and
spending, post a dated milestone with a photo; each audited in the change's transaction, volunteers mailed."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal, can_moderate
from ballots.models import Ballot, BallotProposal
from voting.audit.service import record
from voting.domain import Forbidden, Invalid, NotFound
from voting.followup.models import FundedProject, MilestonePhoto, ProjectMilestone
from voting.followup.notify import notify_volunteers
from voting.followup.rules import MilestoneFields, ProjectChange, check_change, check_milestone, funded_in
from voting.followup.words import LocalDay, LocalStatus
from voting.i18n import gettext as _
from voting.proposals.models import Proposal
from voting.proposals.photo import PhotoRefused, sniff_image
from voting.proposals.thumbnail import make_thumbnail

__all__ = ["open_funded_projects", "load_project", "managed_project", "change_project", "post_milestone",
           "set_milestone_photo", "load_milestone_photo", "PhotoTooLarge"]

class PhotoTooLarge(Invalid):
    status_code = 413

_OPEN = """
INSERT INTO funded_project (ballot_id, proposal_id, neighbourhood_id, budget)
SELECT :ballot_id, p.id, p.neighbourhood_id, :cost FROM proposal AS p WHERE p.id = :proposal_id
ON CONFLICT ON CONSTRAINT funded_project_once DO NOTHING
"""

async def open_funded_projects(session: AsyncSession, ballot_id: int, document: Mapping[str, Any],
                               actor: str = "system") -> list[int]:
    """At publication: one funded project per selected proposal (again changes nothing). Returns the proposals."""
    rows = (await session.exec(select(BallotProposal.proposal_id, BallotProposal.label, BallotProposal.cost)
                               .where(BallotProposal.ballot_id == ballot_id))).all()
    funded = funded_in(document.get("selected", []), list(rows))
    for proposal_id, cost in funded:
        await session.exec(text(_OPEN).bindparams(  # type: ignore[call-overload]
            ballot_id=ballot_id, proposal_id=proposal_id, cost=cost))
    if funded:
        await record(session, actor=actor, action="followup.opened", subject=f"ballot:{ballot_id}",
                     data={"proposals": [pid for pid, _ in funded]})
    return [pid for pid, _ in funded]

async def load_project(session: AsyncSession, project_id: int, *, lock: bool = False) -> FundedProject:
    """A funded project of a published ballot, or 404."""
    query = select(FundedProject).where(FundedProject.id == project_id)
    project = (await session.exec(query.with_for_update() if lock else query)).first()
    if project is None or (await session.get(Ballot, project.ballot_id)) is None:
        raise NotFound(_("No funded project {id}.").format(id=project_id))
    return project

async def managed_project(session: AsyncSession, principal: Principal, project_id: int) -> FundedProject:
    """The project, when the principal moderates its neighbourhood (403 otherwise)."""
    project = await load_project(session, project_id, lock=True)
    if not can_moderate(principal, project.neighbourhood_id):
        raise Forbidden(_("Only the moderators of the project's neighbourhood post its news."))
    return project

async def _title(session: AsyncSession, project: FundedProject) -> str:
    proposal = await session.get(Proposal, project.proposal_id)
    return proposal.title if proposal is not None else str(project.proposal_id)

async def change_project(session: AsyncSession, principal: Principal, project_id: int,
                         change: ProjectChange) -> FundedProject:
    """Status, progress and spending, checked by the rules; audited; volunteers told when the status moves."""
    project = await managed_project(session, principal, project_id)
    problems = check_change(project.status, change)
    if problems:
        raise Invalid(problems[0], extra=problems)
    before = {"status": project.status, "progress": project.progress, "budget_spent": project.budget_spent}
    project.status, project.progress, project.budget_spent = change.status, change.progress, change.budget_spent
    project.abandon_reason = change.reason.strip() if change.status == "abandoned" else None
    project.updated_at = datetime.now(UTC)
    session.add(project)
    await session.flush()
    await record(session, actor=f"account:{principal.id}", action="followup.updated",
                 subject=f"funded_project:{project.id}",
                 data={"from": before, "to": {**{k: getattr(project, k) for k in before},
                                              "reason": project.abandon_reason}})
    if before["status"] != project.status:
        await notify_volunteers(session, project_id, await _title(session, project), {
            "headline": LocalStatus(project.status), "text": project.abandon_reason or "", "day": ""})
    return project

def checked_photo(content: bytes) -> str:
    try:
        return sniff_image(content)
    except PhotoRefused as refused:
        raise (PhotoTooLarge if refused.too_large else Invalid)(refused.reason) from None

async def _store_photo(session: AsyncSession, principal: Principal, milestone: ProjectMilestone,
                       content: bytes, content_type: str) -> None:
    digest = hashlib.sha256(content).hexdigest()
    assert milestone.id is not None
    photo = await session.get(MilestonePhoto, milestone.id)
    thumbnail = make_thumbnail(content)
    if photo is None:
        photo = MilestonePhoto(milestone_id=milestone.id, content_type=content_type, content=content, sha256=digest,
                               thumbnail=thumbnail)
    else:
        photo.content_type, photo.content, photo.sha256, photo.thumbnail = content_type, content, digest, thumbnail
    session.add(photo)
    await session.flush()
    await record(session, actor=f"account:{principal.id}", action="followup.photo_set",
                 subject=f"funded_project:{milestone.project_id}",
                 data={"milestone": milestone.id, "content_type": content_type, "bytes": len(content),
                       "sha256": digest})

async def post_milestone(session: AsyncSession, principal: Principal, project_id: int, fields: MilestoneFields,
                         photo: bytes | None = None) -> ProjectMilestone:
    """A dated milestone or work day, with its optional photo; audited; every volunteer mailed."""
    project = await managed_project(session, principal, project_id)
    problems = check_milestone(fields)
    if problems:
        raise Invalid(problems[0], extra=problems)
    content_type = checked_photo(photo) if photo else None
    assert fields.happens_on is not None
    milestone = ProjectMilestone(project_id=project_id, kind=fields.kind, title=fields.title.strip(),
                                 body=fields.body.strip(), happens_on=fields.happens_on, author_id=principal.id)
    session.add(milestone)
    await session.flush()
    await record(session, actor=f"account:{principal.id}", action="followup.milestone",
                 subject=f"funded_project:{project_id}",
                 data={"milestone": milestone.id, "kind": milestone.kind, "title": milestone.title,
                       "happens_on": milestone.happens_on.isoformat()})
    if photo and content_type:
        await _store_photo(session, principal, milestone, photo, content_type)
    await notify_volunteers(session, project_id, await _title(session, project), {
        "headline": milestone.title, "text": milestone.body, "day": LocalDay(milestone.happens_on)})
    return milestone

async def _milestone(session: AsyncSession, project_id: int, milestone_id: int) -> ProjectMilestone:
    milestone = await session.get(ProjectMilestone, milestone_id)
    if milestone is None or milestone.project_id != project_id:
        raise NotFound(_("No milestone {id} on this project.").format(id=milestone_id))
    return milestone

async def set_milestone_photo(session: AsyncSession, principal: Principal, project_id: int, milestone_id: int,
                              content: bytes) -> ProjectMilestone:
    await managed_project(session, principal, project_id)
    milestone = await _milestone(session, project_id, milestone_id)
    await _store_photo(session, principal, milestone, content, checked_photo(content))
    return milestone

async def load_milestone_photo(session: AsyncSession, project_id: int, milestone_id: int) -> MilestonePhoto:
    await load_project(session, project_id)
    await _milestone(session, project_id, milestone_id)
    photo = await session.get(MilestonePhoto, milestone_id)
    if photo is None:
        raise NotFound(_("This milestone has no photo."))
    return photo
