"""What the follow-up shows: the list of funded projects ("what we are building") and one project's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal, can_moderate
from ballots.models import Ballot
from voting.followup.models import FUNDED_STATES, FundedProject, MilestonePhoto, ProjectMilestone, ProjectVolunteer
from voting.followup.rules import next_work_day, volunteering_refusal
from voting.followup.service import load_project
from voting.followup.volunteers import is_volunteer
from voting.maps.rules import feature_collection, point_feature
from voting.proposals.models import Proposal
from voting.proposals.queries import proposal_row

__all__ = ["ProjectRow", "ProjectPage", "MilestoneRow", "list_projects", "project_page", "projects_geojson"]


@dataclass(frozen=True)
class ProjectRow:
    project: FundedProject
    proposal: Proposal
    ballot_title: str
    volunteers: int


@dataclass(frozen=True)
class MilestoneRow:
    milestone: ProjectMilestone
    has_photo: bool


@dataclass(frozen=True)
class ProjectPage:
    row: ProjectRow
    has_photo: bool
    milestones: list[MilestoneRow]
    next_work_day: Any
    volunteering: bool
    refusal: str | None
    can_manage: bool


async def list_projects(session: AsyncSession, *, status: str | None = None,
                        neighbourhood_id: int | None = None, project_id: int | None = None) -> list[ProjectRow]:
    """Funded projects of published ballots, the newest ballot first, with how many neighbours take part."""
    if status and status not in FUNDED_STATES:
        from voting.domain import Invalid
        from voting.i18n import gettext as _

        raise Invalid(_("Unknown project status {status}.").format(status=status))
    helpers = (select(func.count()).select_from(ProjectVolunteer)
               .where(col(ProjectVolunteer.project_id) == col(FundedProject.id)).scalar_subquery())
    query = (select(FundedProject, Proposal, Ballot.title, helpers)  # type: ignore[call-overload]
             .join(Proposal, col(Proposal.id) == col(FundedProject.proposal_id))
             .join(Ballot, col(Ballot.id) == col(FundedProject.ballot_id))
             .where(col(Ballot.status) == "published")
             .order_by(col(Ballot.closes_at).desc(), col(FundedProject.id)))
    if status:
        query = query.where(col(FundedProject.status) == status)
    if neighbourhood_id is not None:
        query = query.where(col(FundedProject.neighbourhood_id) == neighbourhood_id)
    if project_id is not None:
        query = query.where(col(FundedProject.id) == project_id)
    return [ProjectRow(project, proposal, title, int(count))
            for project, proposal, title, count in (await session.exec(query)).all()]


async def project_page(session: AsyncSession, project_id: int, viewer: Principal | None) -> ProjectPage:
    project = await load_project(session, project_id)
    rows = await list_projects(session, project_id=project_id)
    if not rows:
        from voting.domain import NotFound
        from voting.i18n import gettext as _

        raise NotFound(_("No funded project {id}.").format(id=project_id))
    milestones = (await session.exec(
        select(ProjectMilestone, col(MilestonePhoto.milestone_id).is_not(None))  # type: ignore[call-overload]
        .outerjoin(MilestonePhoto, col(MilestonePhoto.milestone_id) == col(ProjectMilestone.id))
        .where(col(ProjectMilestone.project_id) == project_id)
        .order_by(col(ProjectMilestone.happens_on).desc(), col(ProjectMilestone.id).desc()))).all()
    day = next_work_day([(m.kind, m.happens_on) for m, _ in milestones], datetime.now(UTC).date())
    proposal_info = await proposal_row(session, rows[0].proposal)
    return ProjectPage(
        row=rows[0], has_photo=proposal_info.has_photo,
        milestones=[MilestoneRow(m, bool(has)) for m, has in milestones],
        next_work_day=next((m for m, _ in milestones if m.kind == "work_day" and m.happens_on == day), None),
        volunteering=await is_volunteer(session, project_id, viewer),
        refusal=volunteering_refusal(project.status, email_confirmed=viewer.email_confirmed) if viewer else None,
        can_manage=can_moderate(viewer, project.neighbourhood_id))


async def projects_geojson(session: AsyncSession, *, status: str | None = None,
                           neighbourhood_id: int | None = None) -> dict[str, Any]:
    """The funded projects that have a place, as GeoJSON points for the "what we are building" map."""
    return feature_collection(
        point_feature(r.proposal.latitude, r.proposal.longitude, {
            "id": r.project.id, "title": r.proposal.title, "status": r.project.status,
            "progress": r.project.progress, "url": f"/building/{r.project.id}"})
        for r in await list_projects(session, status=status, neighbourhood_id=neighbourhood_id))


