"""Comment use cases on a real PostgreSQL: write and reply, reports that hide, moderation, audit, rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from auth.models import Account
from auth.principal import Principal
from auth.service import TooManyAttempts
from tests.proposal_factories import Cast, audit_of, insert_proposal, make_cast, quick_account
from voting.admin.settings import update_city_settings
from voting.comments.models import Comment, CommentReport
from voting.comments.rules import CommentLimits
from voting.comments.service import moderate_comment, post_comment, report_comment
from voting.comments.views import load_thread
from voting.domain import Conflict, Forbidden, Invalid, NotFound
from voting.fields import TextRefused
from voting.i18n import use_language
from voting.models import AuditEntry

pytestmark = pytest.mark.anyio


def principal(account: Account, role: str = "citizen", hoods: tuple[int, ...] = ()) -> Principal:
    return Principal(account.id, account.email, account.display_name, frozenset({role}), frozenset(hoods),
                     email_confirmed=account.email_confirmed_at is not None,
                     neighbourhood_id=account.neighbourhood_id)


async def setting_up(db_session) -> tuple[Cast, int]:  # type: ignore[no-untyped-def]
    use_language("en")  # the messages matched below (a sync fixture's context does not reach the test's task)
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    assert proposal.id is not None
    return cast, proposal.id


async def entries(db_session) -> int:  # type: ignore[no-untyped-def]
    return int((await db_session.exec(select(func.count()).select_from(AuditEntry))).one())


async def test_a_comment_and_its_replies_form_one_level(db_session):
    cast, proposal_id = await setting_up(db_session)
    author, neighbour = principal(cast.citizen), principal(cast.neighbour)
    top = await post_comment(db_session, author, "proposal", proposal_id, "  Good idea.\nWhere exactly?  ")
    reply = await post_comment(db_session, neighbour, "proposal", proposal_id, "Near the fountain.", parent_id=top.id)
    deeper = await post_comment(db_session, author, "proposal", proposal_id, "Thanks!", parent_id=reply.id)
    assert top.body == "Good idea.\nWhere exactly?"
    assert (reply.parent_id, deeper.parent_id) == (top.id, top.id)

    thread = await load_thread(db_session, "proposal", proposal_id, None)
    assert thread.count == 3 and [item.id for item in thread.items] == [top.id]
    assert [r.id for r in thread.items[0].replies] == [reply.id, deeper.id]
    assert not thread.can_write and thread.logged_in is False

    [posted] = await audit_of(db_session, f"comment:{top.id}")
    assert posted.action == "comment.posted" and posted.actor == f"account:{cast.citizen.id}"
    assert posted.data["on"] == f"proposal:{proposal_id}" and "Good idea" not in str(posted.data)


async def test_refusals_store_nothing(db_session):
    cast, proposal_id = await setting_up(db_session)
    other = await insert_proposal(db_session, cast.other_hood, cast.citizen)
    draft = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    unconfirmed = await quick_account(db_session, home=cast.hood, email_confirmed=False)
    author = principal(cast.citizen)
    elsewhere = await post_comment(db_session, author, "proposal", other.id or 0, "On the other proposal.")
    before = await entries(db_session)
    with pytest.raises(Forbidden, match="Confirm your e-mail"):
        await post_comment(db_session, principal(unconfirmed), "proposal", proposal_id, "Hello")
    with pytest.raises(Invalid):
        await post_comment(db_session, author, "proposal", proposal_id, " \n ")
    with pytest.raises(Invalid, match="at most 2000"):
        await post_comment(db_session, author, "proposal", proposal_id, "x" * 2001)
    with pytest.raises(Invalid, match="not in this discussion"):
        await post_comment(db_session, author, "proposal", proposal_id, "Reply", parent_id=elsewhere.id)
    with pytest.raises(NotFound):
        await post_comment(db_session, author, "proposal", proposal_id, "Reply", parent_id=2_000_000_000)
    with pytest.raises(NotFound):
        await post_comment(db_session, author, "proposal", 2_000_000_000, "Nothing there")
    with pytest.raises(NotFound):
        await post_comment(db_session, principal(cast.neighbour), "proposal", draft.id or 0, "A draft")
    with pytest.raises(Conflict):  # its proposer sees the draft, but a draft takes no comments
        await post_comment(db_session, author, "proposal", draft.id or 0, "My own draft")
    with pytest.raises(NotFound):  # funded projects are not built yet
        await post_comment(db_session, author, "funded_project", 1, "Hello")
    assert await entries(db_session) == before


async def test_control_and_direction_characters_are_refused_at_flush(db_session):
    cast, proposal_id = await setting_up(db_session)
    with pytest.raises(TextRefused):
        await post_comment(db_session, principal(cast.citizen), "proposal", proposal_id, "evil \u202e txt")


async def test_n_reports_hide_a_comment_and_a_moderator_restores_it(db_session):
    cast, proposal_id = await setting_up(db_session)
    await update_city_settings(db_session, actor="test", actor_id=None, changes={"comment_hide_after_reports": 2})
    comment = await post_comment(db_session, principal(cast.neighbour), "proposal", proposal_id, "Rude words")
    assert comment.id is not None
    first = await report_comment(db_session, principal(cast.citizen), comment.id)
    assert (first.status, first.open_reports) == ("visible", 1)
    with pytest.raises(Conflict, match="already reported"):
        await report_comment(db_session, principal(cast.citizen), comment.id)
    with pytest.raises(Forbidden, match="your own"):
        await report_comment(db_session, principal(cast.neighbour), comment.id)
    third = await quick_account(db_session, home=cast.hood)
    hidden = await report_comment(db_session, principal(third), comment.id)
    assert (hidden.status, hidden.open_reports) == ("auto_hidden", 2)

    public = await load_thread(db_session, "proposal", proposal_id, principal(third))
    view = public.items[0].payload
    assert view.status == "auto_hidden" and view.body is None and view.reported and not view.can_report
    assert view.open_reports is None  # only moderators see the count
    moderator = principal(cast.moderator, "moderator", (cast.hood.id or 0,))
    seen = (await load_thread(db_session, "proposal", proposal_id, moderator)).items[0].payload
    assert seen.body == "Rude words" and seen.open_reports == 2

    with pytest.raises(Forbidden):
        await moderate_comment(db_session, principal(cast.other_moderator, "moderator", (cast.other_hood.id or 0,)),
                               comment.id, "restore", "Fine by me")
    with pytest.raises(Invalid):
        await moderate_comment(db_session, moderator, comment.id, "restore", "  ")
    restored = await moderate_comment(db_session, moderator, comment.id, "restore", "Criticism, not insults.")
    assert (restored.status, restored.open_reports) == ("visible", 0)
    hidden_again = await moderate_comment(db_session, moderator, comment.id, "hide", "Personal data")
    assert hidden_again.status == "hidden" and hidden_again.moderation_reason == "Personal data"
    view = (await load_thread(db_session, "proposal", proposal_id, None)).items[0].payload
    assert view.body is None and view.moderation_reason == "Personal data"

    actions = [(e.action, e.actor) for e in await audit_of(db_session, f"comment:{comment.id}")]
    assert actions == [("comment.posted", f"account:{cast.neighbour.id}"),
                       ("comment.reported", f"account:{cast.citizen.id}"),
                       ("comment.reported", f"account:{third.id}"), ("comment.auto_hidden", "system"),
                       ("comment.restored", f"account:{cast.moderator.id}"),
                       ("comment.hidden", f"account:{cast.moderator.id}")]
    reports = (await db_session.exec(select(func.count()).select_from(CommentReport)
                                     .where(col(CommentReport.comment_id) == comment.id))).one()
    assert reports == 2


async def test_a_restored_comment_needs_new_reporters_to_hide_again(db_session):
    cast, proposal_id = await setting_up(db_session)
    await update_city_settings(db_session, actor="test", actor_id=None, changes={"comment_hide_after_reports": 1})
    comment = await post_comment(db_session, principal(cast.neighbour), "proposal", proposal_id, "Hmm")
    assert comment.id is not None
    assert (await report_comment(db_session, principal(cast.citizen), comment.id)).status == "auto_hidden"
    await moderate_comment(db_session, principal(cast.admin, "admin"), comment.id, "restore", "Nothing wrong")
    newcomer = await quick_account(db_session, home=cast.hood)
    assert (await report_comment(db_session, principal(newcomer), comment.id)).status == "auto_hidden"


async def test_comments_are_rate_limited_per_account(db_session):
    cast, proposal_id = await setting_up(db_session)
    limits = CommentLimits(free_per_account=2, first_delay=timedelta(minutes=5))
    author = principal(cast.citizen)
    for text in ("one", "two"):
        await post_comment(db_session, author, "proposal", proposal_id, text, limits=limits)
    with pytest.raises(TooManyAttempts) as blocked:
        await post_comment(db_session, author, "proposal", proposal_id, "three", limits=limits)
    assert blocked.value.status_code == 429 and blocked.value.seconds > 0
    await post_comment(db_session, principal(cast.neighbour), "proposal", proposal_id, "another account", limits=limits)
    count = (await db_session.exec(select(func.count()).select_from(Comment)
                                   .where(col(Comment.subject_id) == proposal_id))).one()
    assert count == 3


async def test_my_data_holds_my_comments_and_reports_and_deletion_erases_the_reports(db_session):
    from auth.account_data import delete_account, export_data
    from tests.factories import PASSWORD

    cast, proposal_id = await setting_up(db_session)
    comment = await post_comment(db_session, principal(cast.neighbour), "proposal", proposal_id, "Mine")
    await post_comment(db_session, principal(cast.citizen), "proposal", proposal_id, "Theirs")
    await report_comment(db_session, principal(cast.citizen), comment.id or 0)
    data = await export_data(db_session, principal(cast.citizen))
    assert [c["body"] for c in data["comments"]] == ["Theirs"]
    assert [r["comment_id"] for r in data["comment_reports"]] == [comment.id]
    await delete_account(db_session, principal(cast.citizen), password=PASSWORD)
    left = (await db_session.exec(select(func.count()).select_from(CommentReport)
                                  .where(col(CommentReport.account_id) == cast.citizen.id))).one()
    assert left == 0
    thread = await load_thread(db_session, "proposal", proposal_id, None)
    assert [item.payload.body for item in thread.items] == ["Mine", "Theirs"]  # the discussion still reads
