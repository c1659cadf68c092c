"""JSON API of funded projects under ``/api/v1/funded-projects``: read by anyone, updated by the moderators of
the project's neighbourhood, volunteered for by residents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.params import JSONBody, MultipartBody, QueryParameter

from auth.guards import current_principal, requires_login, requires_moderator
from voting.database import DBSession, ReadSession
from voting.fields import INTEGER_MAX, PathId
from voting.followup.rules import MilestoneFields, ProjectChange
from voting.followup.schemas import (
    FundedProjectPublic,
    MilestoneCreate,
    MilestonePublic,
    ProjectUpdate,
    VolunteersPublic,
)
from voting.followup.service import change_project, load_project, post_milestone, set_milestone_photo
from voting.followup.views import ProjectPage, ProjectRow, list_projects, project_page, projects_geojson
from voting.followup.volunteers import volunteer, withdraw
from voting.proposals.api import viewer_of
from voting.proposals.photo import MAX_PHOTO_BYTES

__all__ = ["FundedProjectAPI", "project_public"]

HoodFilter = Annotated[int | None, QueryParameter(ge=1, le=INTEGER_MAX)]
StatusFilter = Annotated[str | None, QueryParameter(max_length=16)]


def project_public(row: ProjectRow, page: ProjectPage | None = None) -> FundedProjectPublic:
    p, proposal = row.project, row.proposal
    milestones = [MilestonePublic(id=m.milestone.id or 0, kind=m.milestone.kind, title=m.milestone.title,
                                  body=m.milestone.body, happens_on=m.milestone.happens_on,
                                  photo_url=f"/building/{p.id}/milestones/{m.milestone.id}/photo" if m.has_photo
                                  else None) for m in (page.milestones if page else [])]
    return FundedProjectPublic(
        id=p.id or 0, ballot_id=p.ballot_id, ballot_title=row.ballot_title, proposal_id=p.proposal_id,
        title=proposal.title, summary=proposal.summary, neighbourhood_id=p.neighbourhood_id, status=p.status,
        progress=p.progress, budget=p.budget, budget_spent=p.budget_spent, abandon_reason=p.abandon_reason,
        latitude=proposal.latitude, longitude=proposal.longitude, volunteers=row.volunteers, milestones=milestones,
        next_work_day=page.next_work_day.happens_on if page and page.next_work_day else None)


@dataclass
class PhotoUpload:
    photo: UploadFile


class FundedProjectAPI(Controller):
    path = "/api/v1/funded-projects"
    tags = ["funded projects"]

    @get("/", operation_id="listFundedProjects")
    async def index(self, read_session: ReadSession, status: StatusFilter = None,
                    neighbourhood_id: HoodFilter = None) -> list[FundedProjectPublic]:
        """Funded projects of published ballots ("what we are building"), newest ballot first."""
        return [project_public(r) for r in await list_projects(read_session, status=status or None,
                                                                neighbourhood_id=neighbourhood_id)]

    @get("/map", operation_id="mapFundedProjects")
    async def map(self, read_session: ReadSession, status: StatusFilter = None,
                  neighbourhood_id: HoodFilter = None) -> dict[str, Any]:
        """The funded projects that have a place, as a GeoJSON FeatureCollection of points."""
        return await projects_geojson(read_session, status=status or None, neighbourhood_id=neighbourhood_id)

    @get("/{project_id:int}", operation_id="getFundedProject")
    async def show(self, request: Request[Any, Any, Any], db_session: DBSession,
                   project_id: PathId) -> FundedProjectPublic:
        """A funded project with its milestones (newest first) and its next work day."""
        page = await project_page(db_session, project_id, viewer_of(request))
        return project_public(page.row, page)

    @patch("/{project_id:int}", operation_id="updateFundedProject", guards=[requires_moderator])
    async def update(self, request: Request[Any, Any, Any], db_session: DBSession, project_id: PathId,
                     data: JSONBody[ProjectUpdate]) -> FundedProjectPublic:
        """Status, progress and budget spent (moderators of the project's neighbourhood; abandoning needs a
        ``reason``); audited, and volunteers are mailed when the status changes."""
        current = await load_project(db_session, project_id)
        await change_project(db_session, current_principal(request), project_id, ProjectChange(
            status=data.status or current.status,
            progress=data.progress if data.progress is not None else
            (100 if data.status == "done" else current.progress),
            budget_spent=data.budget_spent if data.budget_spent is not None else current.budget_spent,
            reason=data.reason if data.reason is not None else (current.abandon_reason or "")))
        page = await project_page(db_session, project_id, current_principal(request))
        return project_public(page.row, page)

    @post("/{project_id:int}/milestones", operation_id="postMilestone", guards=[requires_moderator])
    async def milestone(self, request: Request[Any, Any, Any], db_session: DBSession, project_id: PathId,
                        data: JSONBody[MilestoneCreate]) -> MilestonePublic:
        """A dated milestone or work day (``kind``: milestone or work_day); volunteers are mailed."""
        made = await post_milestone(db_session, current_principal(request), project_id, MilestoneFields(
            kind=data.kind, title=data.title, body=data.body, happens_on=data.happens_on))
        return MilestonePublic(id=made.id or 0, kind=made.kind, title=made.title, body=made.body,
                               happens_on=made.happens_on, photo_url=None)

    @put("/{project_id:int}/milestones/{milestone_id:int}/photo", operation_id="setMilestonePhoto",
         guards=[requires_moderator])
    async def photo(self, request: Request[Any, Any, Any], db_session: DBSession, project_id: PathId,
                    milestone_id: PathId, data: MultipartBody[PhotoUpload]) -> MilestonePublic:
        """Attach or replace a milestone's photo (multipart field ``photo``: JPEG, PNG or WebP up to 5 MB)."""
        made = await set_milestone_photo(db_session, current_principal(request), project_id, milestone_id,
                                         await data.photo.read(MAX_PHOTO_BYTES + 1))
        return MilestonePublic(id=made.id or 0, kind=made.kind, title=made.title, body=made.body,
                               happens_on=made.happens_on, photo_url=f"/building/{project_id}/milestones/"
                               f"{made.id}/photo")

    @put("/{project_id:int}/volunteers/me", operation_id="volunteerForProject", guards=[requires_login])
    async def join(self, request: Request[Any, Any, Any], db_session: DBSession,
                   project_id: PathId) -> VolunteersPublic:
        """Take part in the project (a confirmed e-mail needed): its news then come by e-mail."""
        count = await volunteer(db_session, current_principal(request), project_id)
        return VolunteersPublic(project_id=project_id, volunteers=count, volunteering=True)

    @delete("/{project_id:int}/volunteers/me", operation_id="withdrawFromProject", guards=[requires_login],
            status_code=200)
    async def leave(self, request: Request[Any, Any, Any], db_session: DBSession,
                    project_id: PathId) -> VolunteersPublic:
        count = await withdraw(db_session, current_principal(request), project_id)
        return VolunteersPublic(project_id=project_id, volunteers=count, volunteering=False)
