"""Co-management: residents sign up as volunteers for a funded project and withdraw; each step audited."""

from __future__ import annotations

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from voting.audit.service import record
from voting.domain import Conflict
from voting.followup.models import ProjectVolunteer
from voting.followup.rules import volunteering_refusal
from voting.followup.service import load_project

__all__ = ["volunteer", "withdraw", "volunteer_count", "is_volunteer"]


async def volunteer_count(session: AsyncSession, project_id: int) -> int:
    query = select(func.count()).select_from(ProjectVolunteer).where(col(ProjectVolunteer.project_id) == project_id)
    return int((await session.exec(query)).one())


async def is_volunteer(session: AsyncSession, project_id: int, principal: Principal | None) -> bool:
    if principal is None:
        return False
    return await session.get(ProjectVolunteer, (project_id, principal.id)) is not None


async def volunteer(session: AsyncSession, principal: Principal, project_id: int) -> int:
    """Sign up (again changes nothing); returns how many take part."""
    project = await load_project(session, project_id)
    refusal = volunteering_refusal(project.status, email_confirmed=principal.email_confirmed)
    if refusal:
        raise Conflict(refusal)
    added = await session.exec(insert(ProjectVolunteer).values(  # type: ignore[call-overload]
        project_id=project_id, account_id=principal.id).on_conflict_do_nothing().returning(
        col(ProjectVolunteer.project_id)))
    if added.first() is not None:
        await record(session, actor=f"account:{principal.id}", action="followup.volunteered",
                     subject=f"funded_project:{project_id}")
    return await volunteer_count(session, project_id)


async def withdraw(session: AsyncSession, principal: Principal, project_id: int) -> int:
    """Stop taking part (and stop getting the project's mail); returns how many still take part."""
    await load_project(session, project_id)
    removed = await session.exec(delete(ProjectVolunteer).where(  # type: ignore[call-overload]
        col(ProjectVolunteer.project_id) == project_id, col(ProjectVolunteer.account_id) == principal.id)
        .returning(col(ProjectVolunteer.project_id)))
    if removed.first() is not None:
        await record(session, actor=f"account:{principal.id}", action="followup.withdrew",
                     subject=f"funded_project:{project_id}")
    return await volunteer_count(session, project_id)
