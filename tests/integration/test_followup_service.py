"""Follow-up of funded projects on a real PostgreSQL: opened at publication, moderators' updates and milestones
(audited in the same transaction, volunteers mailed through the outbox), residents volunteering."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from auth.principal import Principal
from tests.followup_factories import publish_with_funded
from tests.proposal_factories import PNG, audit_of, make_cast
from voting.domain import Conflict, Forbidden, Invalid
from voting.followup.models import MilestonePhoto
from voting.followup.rules import MilestoneFields, ProjectChange
from voting.followup.service import change_project, load_milestone_photo, post_milestone
from voting.followup.views import list_projects, project_page
from voting.followup.volunteers import volunteer, withdraw
from voting.mail.models import OutboxMessage

pytestmark = pytest.mark.anyio


def principal(account, role="citizen", hoods=(), confirmed=True) -> Principal:
    return Principal(account.id, account.email, account.display_name, frozenset({role}), frozenset(hoods),
                     verified=True, email_confirmed=confirmed)


async def outbox_for(session, address):
    rows = await session.exec(select(OutboxMessage).where(col(OutboxMessage.to_address) == address))
    return list(rows.all())


async def test_publication_opens_one_page_per_funded_project(db_session):
    cast = await make_cast(db_session)
    projects = await publish_with_funded(db_session, cast, funded=2, unfunded=1)
    assert len(projects) == 2 and {p.status for p in projects} == {"planned"}
    assert projects[0].budget == 10_000 and projects[0].neighbourhood_id == cast.hood.id
    listed = await list_projects(db_session, neighbourhood_id=cast.hood.id)
    assert [r.project.id for r in listed] == [p.id for p in projects]
    assert (await audit_of(db_session, f"ballot:{projects[0].ballot_id}"))[-1].action == "followup.opened"


async def test_a_moderator_posts_a_milestone_with_a_photo_and_volunteers_are_mailed(db_session):
    cast = await make_cast(db_session)
    [project] = await publish_with_funded(db_session, cast, funded=1, unfunded=0)
    resident = principal(cast.neighbour)
    assert await volunteer(db_session, resident, project.id) == 1
    assert await volunteer(db_session, resident, project.id) == 1  # again changes nothing
    moderator = principal(cast.moderator, "moderator", (cast.hood.id,))
    day = (datetime.now(UTC) + timedelta(days=5)).date()
    made = await post_milestone(db_session, moderator, project.id, MilestoneFields(
        "work_day", "Planting day", "Bring gloves.", day), photo=PNG)
    assert (await load_milestone_photo(db_session, project.id, made.id)).content == PNG
    page = await project_page(db_session, project.id, resident)
    assert page.next_work_day is not None and page.next_work_day.id == made.id
    assert page.volunteering and page.row.volunteers == 1 and page.milestones[0].has_photo
    mail = await outbox_for(db_session, cast.neighbour.email)
    assert [m.kind for m in mail] == ["project_update"]
    assert "Planting day" in mail[0].body_text and f"/building/{project.id}" in mail[0].body_text
    actions = [e.action for e in await audit_of(db_session, f"funded_project:{project.id}")]
    assert actions == ["followup.volunteered", "followup.milestone", "followup.photo_set"]


async def test_only_the_neighbourhoods_moderators_post(db_session):
    cast = await make_cast(db_session)
    [project] = await publish_with_funded(db_session, cast, funded=1, unfunded=0)
    fields = MilestoneFields("milestone", "Soil delivered", "", date(2027, 3, 1))
    for someone in (principal(cast.other_moderator, "moderator", (cast.other_hood.id,)), principal(cast.citizen)):
        with pytest.raises(Forbidden):
            await post_milestone(db_session, someone, project.id, fields)
    admin = principal(cast.admin, "admin")
    await post_milestone(db_session, admin, project.id, fields)


async def test_status_progress_and_spending(db_session):
    cast = await make_cast(db_session)
    [project] = await publish_with_funded(db_session, cast, funded=1, unfunded=0)
    moderator = principal(cast.moderator, "moderator", (cast.hood.id,))
    await volunteer(db_session, principal(cast.neighbour), project.id)
    await change_project(db_session, moderator, project.id, ProjectChange("in_progress", 40, 4_200))
    with pytest.raises(Invalid) as refused:
        await change_project(db_session, moderator, project.id, ProjectChange("abandoned", 40, 4_200, " "))
    assert "abandon" in refused.value.message
    done = await change_project(db_session, moderator, project.id, ProjectChange("abandoned", 40, 4_200,
                                                                                 "The soil is polluted."))
    assert done.status == "abandoned" and done.abandon_reason == "The soil is polluted."
    subjects = [m.subject for m in await outbox_for(db_session, cast.neighbour.email)]
    assert len(subjects) == 2  # two status moves, two mails
    with pytest.raises(Conflict):  # an abandoned project looks for no volunteer
        await volunteer(db_session, principal(cast.citizen), project.id)


async def test_an_unconfirmed_resident_cannot_volunteer_and_withdrawing_stops_the_mail(db_session):
    from tests.proposal_factories import quick_account

    cast = await make_cast(db_session)
    [project] = await publish_with_funded(db_session, cast, funded=1, unfunded=0)
    fresh = await quick_account(db_session, home=cast.hood, email_confirmed=False)
    with pytest.raises(Conflict):
        await volunteer(db_session, principal(fresh, confirmed=False), project.id)
    resident = principal(cast.neighbour)
    await volunteer(db_session, resident, project.id)
    assert await withdraw(db_session, resident, project.id) == 0
    await post_milestone(db_session, principal(cast.moderator, "moderator", (cast.hood.id,)), project.id,
                         MilestoneFields("milestone", "Trees planted", "", date(2027, 3, 1)))
    assert await outbox_for(db_session, cast.neighbour.email) == []


async def test_the_database_refuses_an_abandoned_project_without_a_reason(db_session):
    cast = await make_cast(db_session)
    [project] = await publish_with_funded(db_session, cast, funded=1, unfunded=0)
    project.status = "abandoned"
    db_session.add(project)
    with pytest.raises(IntegrityError):
        await db_session.flush()


async def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_stored(db_session):
    cast = await make_cast(db_session)
    [project] = await publish_with_funded(db_session, cast, funded=1, unfunded=0)
    with pytest.raises(Invalid):
        await post_milestone(db_session, principal(cast.moderator, "moderator", (cast.hood.id,)), project.id,
                             MilestoneFields("milestone", "Photo", "", date(2027, 3, 1)), photo=b"<svg/>")
    assert (await db_session.exec(select(MilestonePhoto))).first() is None


async def test_volunteering_is_in_the_residents_data_and_goes_with_the_account(db_session):
    from auth.account_data import delete_account, export_data
    from tests.factories import PASSWORD
    from tests.proposal_factories import quick_account

    cast = await make_cast(db_session)
    [project] = await publish_with_funded(db_session, cast, funded=1, unfunded=0)
    leaving = await quick_account(db_session, home=cast.hood)
    await volunteer(db_session, principal(leaving), project.id)
    data = await export_data(db_session, principal(leaving))
    assert [row["project_id"] for row in data["volunteering"]] == [project.id]
    await delete_account(db_session, principal(leaving), password=PASSWORD)
    assert (await project_page(db_session, project.id, None)).row.volunteers == 0


async def test_each_volunteer_reads_the_news_in_their_language(db_session):
    from tests.proposal_factories import quick_account

    cast = await make_cast(db_session)
    [project] = await publish_with_funded(db_session, cast, funded=1, unfunded=0)
    french, english = await quick_account(db_session, home=cast.hood), await quick_account(db_session, home=cast.hood)
    french.language, english.language = "fr", "en"
    db_session.add_all([french, english])
    for account in (french, english):
        await volunteer(db_session, principal(account), project.id)
    await change_project(db_session, principal(cast.moderator, "moderator", (cast.hood.id,)), project.id,
                         ProjectChange("in_progress", 10, 0))
    await post_milestone(db_session, principal(cast.moderator, "moderator", (cast.hood.id,)), project.id,
                         MilestoneFields("work_day", "Plantation", "", date(2027, 3, 6)))
    [status_fr, day_fr] = [m.body_text for m in await outbox_for(db_session, french.email)]
    [status_en, day_en] = [m.body_text for m in await outbox_for(db_session, english.email)]
    assert "En cours" in status_fr and "In progress" in status_en
    assert "samedi 6 mars 2027" in day_fr and "Saturday 6 March 2027" in day_en
