"""The demo city's follow-up: the first project funded by the published ballot is under way, with a milestone
and a coming work day, posted through the real services (audited). Idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from auth.principal import Principal
from voting.followup.models import FundedProject, ProjectMilestone
from voting.followup.rules import MilestoneFields, ProjectChange
from voting.followup.service import change_project, post_milestone

__all__ = ["seed_followup_demo"]


async def seed_followup_demo(session: AsyncSession, ballot_id: int | None, account: Account) -> None:
    """The demo moderator (``account``, who moderates the ballot's neighbourhood) posts the news."""
    project = (await session.exec(select(FundedProject).where(FundedProject.ballot_id == ballot_id)
                                  .order_by(col(FundedProject.id)))).first()
    if project is None or project.id is None:
        return
    if (await session.exec(select(ProjectMilestone).where(ProjectMilestone.project_id == project.id))).first():
        return
    today = datetime.now(UTC).date()
    moderator = Principal(account.id, account.email, account.display_name, frozenset({"moderator"}),
                          frozenset({project.neighbourhood_id}), email_confirmed=True)
    await change_project(session, moderator, project.id, ProjectChange("in_progress", 40, project.budget * 35 // 100))
    await post_milestone(session, moderator, project.id, MilestoneFields(
        "milestone", "Terrain préparé", "Le sol a été décompacté et amendé de compost du quartier.",
        today - timedelta(days=12)))
    await post_milestone(session, moderator, project.id, MilestoneFields(
        "work_day", "Journée de plantation", "Rendez-vous à 9 h avec des gants ; les outils sont fournis.",
        today + timedelta(days=10)))
