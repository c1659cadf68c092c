"""Pages of the follow-up: "what we are building" (list and map), a funded project's page, the moderators'
forms (status, milestone with photo) and the residents' volunteering buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Response, Template

from auth.guards import current_principal, requires_login
from voting.comments.views import funded_project_thread
from voting.database import DBSession, ReadSession
from voting.domain import DomainError, Invalid
from voting.followup.models import FUNDED_STATES
from voting.followup.rules import MilestoneFields, ProjectChange
from voting.followup.service import change_project, load_milestone_photo, post_milestone
from voting.followup.views import list_projects, project_page
from voting.followup.volunteers import volunteer, withdraw
from voting.i18n import gettext as _
from voting.proposals.api import viewer_of
from voting.proposals.pages import optional_int
from voting.proposals.photo import MAX_PHOTO_BYTES
from voting.proposals.rules import parse_whole_number
from voting.proposals.thumbnail import THUMBNAIL_TYPE
from voting.proposals.views import form_choices

__all__ = ["FollowupPages"]


@dataclass
class StatusForm:
    status: str = ""
    progress: str = ""
    budget_spent: str = ""
    reason: str = ""


@dataclass
class MilestoneForm:
    kind: str = "milestone"
    title: str = ""
    body: str = ""
    happens_on: str = ""
    photo: UploadFile | None = None


def _number(value: str, message: str) -> int:
    try:
        number = parse_whole_number(value)
    except ValueError:
        raise Invalid(message) from None
    if number is None:
        raise Invalid(message)
    return number


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        raise Invalid(_("The date must be written as YYYY-MM-DD.")) from None


async def _page(db_session: Any, request: Request[Any, Any, Any], project_id: int, *, errors: list[str] | None = None,
                values: dict[str, Any] | None = None, status_code: int = 200) -> Template:
    page = await project_page(db_session, project_id, viewer_of(request))
    return Template("followup/project.html", status_code=status_code, context={
        "page": page, "errors": errors or [], "values": values or {}, "states": FUNDED_STATES,
        "choices": await form_choices(db_session, include_retired=True),
        "comments": await funded_project_thread(db_session, page.row.project, viewer_of(request))})


class FollowupPages(Controller):
    path = "/building"
    include_in_schema = False

    @get("/", name="building", media_type=MediaType.HTML)
    async def index(self, read_session: ReadSession,
                    neighbourhood: Annotated[str | None, QueryParameter(max_length=12)] = None,
                    status: Annotated[str | None, QueryParameter(max_length=16)] = None) -> Template:
        hood = optional_int(neighbourhood)
        rows = await list_projects(read_session, status=status or None, neighbourhood_id=hood)
        query = "&".join(f"{k}={v}" for k, v in (("status", status), ("neighbourhood_id", hood)) if v)
        return Template("followup/index.html", context={
            "rows": rows, "filters": {"neighbourhood": neighbourhood or "", "status": status or ""},
            "states": FUNDED_STATES, "choices": await form_choices(read_session, include_retired=True),
            "points_url": "/api/v1/funded-projects/map" + (f"?{query}" if query else "")})

    @get("/{project_id:int}", name="funded_project", media_type=MediaType.HTML)
    async def show(self, request: Request[Any, Any, Any], db_session: DBSession,
                   project_id: FromPath[int]) -> Template:
        return await _page(db_session, request, project_id)

    @get("/{project_id:int}/milestones/{milestone_id:int}/photo", name="milestone_photo")
    async def photo(self, db_session: DBSession, project_id: FromPath[int],
                    milestone_id: FromPath[int]) -> Response[bytes]:
        photo = await load_milestone_photo(db_session, project_id, milestone_id)
        return Response(photo.content, media_type=photo.content_type, headers={
            "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "public, max-age=300", "ETag": f'"{photo.sha256}"'})

    @get("/{project_id:int}/milestones/{milestone_id:int}/thumbnail", name="milestone_thumbnail")
    async def thumbnail(self, db_session: DBSession, project_id: FromPath[int],
                        milestone_id: FromPath[int]) -> Response[bytes]:
        """The small WebP the page shows (the photo itself when none could be made)."""
        photo = await load_milestone_photo(db_session, project_id, milestone_id)
        content, media_type = (photo.thumbnail, THUMBNAIL_TYPE) if photo.thumbnail else (photo.content,
                                                                                       photo.content_type)
        return Response(content, media_type=media_type, headers={
            "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "public, max-age=300", "ETag": f'"{photo.sha256}-t"'})

    @post("/{project_id:int}/status", guards=[requires_login], media_type=MediaType.HTML)
    async def status(self, request: Request[Any, Any, Any], db_session: DBSession, project_id: FromPath[int],
                     data: URLEncodedBody[StatusForm]) -> Any:
        try:
            change = ProjectChange(
                status=data.status, progress=_number(data.progress, _("The progress is a whole percentage from 0 to "
                                                                      "100.")),
                budget_spent=_number(data.budget_spent or "0", _("The budget spent must be a positive amount.")),
                reason=data.reason)
            await change_project(db_session, current_principal(request), project_id, change)
        except DomainError as error:
            await db_session.rollback()
            if error.status_code in (403, 404):
                raise
            return await _page(db_session, request, project_id, errors=error.extra or [error.message],
                               values={"status": data.__dict__}, status_code=error.status_code)
        return Redirect(f"/building/{project_id}")

    @post("/{project_id:int}/milestones", guards=[requires_login], media_type=MediaType.HTML)
    async def milestone(self, request: Request[Any, Any, Any], db_session: DBSession, project_id: FromPath[int],
                        data: MultipartBody[MilestoneForm]) -> Any:
        photo = await data.photo.read(MAX_PHOTO_BYTES + 1) if data.photo is not None else None
        try:
            fields = MilestoneFields(kind=data.kind, title=data.title, body=data.body,
                                     happens_on=_day(data.happens_on))
            await post_milestone(db_session, current_principal(request), project_id, fields, photo or None)
        except DomainError as error:
            await db_session.rollback()
            if error.status_code in (403, 404):
                raise
            typed = {k: v for k, v in data.__dict__.items() if k != "photo"}
            return await _page(db_session, request, project_id, errors=error.extra or [error.message],
                               values={"milestone": typed}, status_code=error.status_code)
        return Redirect(f"/building/{project_id}#milestones")

    @post("/{project_id:int}/volunteer", guards=[requires_login])
    async def join(self, request: Request[Any, Any, Any], db_session: DBSession,
                   project_id: FromPath[int]) -> Redirect:
        await volunteer(db_session, current_principal(request), project_id)
        return Redirect(f"/building/{project_id}#volunteers")

    @post("/{project_id:int}/withdraw", guards=[requires_login])
    async def leave(self, request: Request[Any, Any, Any], db_session: DBSession,
                    project_id: FromPath[int]) -> Redirect:
        await withdraw(db_session, current_principal(request), project_id)
        return Redirect(f"/building/{project_id}#volunteers")
