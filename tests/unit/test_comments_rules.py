"""Pure comment rules: length, authors, one level of replies, reports that hide, moderation moves, threads."""

from __future__ import annotations

import pytest

from voting.comments.rules import (
    MAX_BODY,
    Parent,
    ThreadItem,
    author_refusal,
    body_shown,
    check_body,
    check_kind,
    check_reason,
    moderated_status,
    reply_target,
    report_refusal,
    status_after_report,
    threaded,
)
from voting.domain import Conflict, Forbidden, Invalid, NotFound
from voting.i18n import use_language


@pytest.fixture(autouse=True)
def english():
    use_language("en")


def test_a_comment_is_trimmed_and_keeps_its_line_breaks():
    assert check_body("  first line\nsecond line \n") == "first line\nsecond line"


@pytest.mark.parametrize("body", ["", "   \n\t "])
def test_an_empty_comment_is_refused(body):
    with pytest.raises(Invalid, match="Write something"):
        check_body(body)


def test_the_length_limit_counts_the_trimmed_text():
    assert len(check_body(" " + "a" * MAX_BODY + " ")) == MAX_BODY
    with pytest.raises(Invalid, match="2001"):
        check_body("a" * (MAX_BODY + 1))


def test_french_refusals():
    use_language("fr")
    with pytest.raises(Invalid) as refused:
        check_body("")
    assert "commentaire" in refused.value.message


def test_only_known_kinds_have_comments():
    assert check_kind("funded_project") == "funded_project"
    with pytest.raises(NotFound):
        check_kind("ballot")


def test_a_moderation_needs_a_reason():
    with pytest.raises(Invalid):
        check_reason("  ")
    with pytest.raises(Invalid):
        check_reason("x" * 501)
    assert check_reason(" insults ") == "insults"


def test_only_confirmed_addresses_write():
    assert author_refusal(True) is None
    assert "Confirm your e-mail" in str(author_refusal(False))


def test_a_reply_attaches_to_its_top_comment():
    top = Parent(id=10, parent_id=None, subject_kind="proposal", subject_id=3)
    reply = Parent(id=11, parent_id=10, subject_kind="proposal", subject_id=3)
    assert reply_target(top, "proposal", 3) == 10
    assert reply_target(reply, "proposal", 3) == 10  # a reply to a reply: one level only


@pytest.mark.parametrize(("kind", "subject_id"), [("proposal", 4), ("funded_project", 3)])
def test_a_reply_to_another_discussion_is_refused(kind, subject_id):
    with pytest.raises(Invalid):
        reply_target(Parent(10, None, "proposal", 3), kind, subject_id)


def test_reports_once_and_never_ones_own():
    report_refusal(is_author=False, already_reported=False)
    with pytest.raises(Forbidden):
        report_refusal(is_author=True, already_reported=False)
    with pytest.raises(Conflict):
        report_refusal(is_author=False, already_reported=True)


def test_the_threshold_hides_a_visible_comment():
    assert status_after_report("visible", 2, 3) == "visible"
    assert status_after_report("visible", 3, 3) == "auto_hidden"
    assert status_after_report("visible", 1, 1) == "auto_hidden"
    assert status_after_report("visible", 1, 0) == "auto_hidden"  # a threshold below one counts as one
    assert status_after_report("hidden", 9, 3) == "hidden"  # a moderator's decision is not overridden


def test_moderation_moves():
    assert moderated_status("visible", "hide") == "hidden"
    assert moderated_status("auto_hidden", "hide") == "hidden"
    assert moderated_status("auto_hidden", "restore") == "visible"
    assert moderated_status("hidden", "restore") == "visible"
    with pytest.raises(Conflict):
        moderated_status("hidden", "hide")
    with pytest.raises(Conflict):
        moderated_status("visible", "restore")
    with pytest.raises(Invalid):
        moderated_status("visible", "delete")


def test_who_reads_a_hidden_comment():
    assert body_shown("visible", is_moderator=False, is_author=False)
    assert not body_shown("auto_hidden", is_moderator=False, is_author=False)
    assert not body_shown("hidden", is_moderator=False, is_author=False)
    assert body_shown("hidden", is_moderator=True, is_author=False)
    assert body_shown("hidden", is_moderator=False, is_author=True)


def test_threads_keep_order_and_drop_orphans():
    items = [ThreadItem(1, None, "a"), ThreadItem(2, 1, "b"), ThreadItem(3, None, "c"), ThreadItem(4, 1, "d"),
             ThreadItem(5, 99, "orphan")]
    tops = threaded(items)
    assert [top.id for top in tops] == [1, 3]
    assert [reply.payload for reply in tops[0].replies] == ["b", "d"]
    assert tops[1].replies == []


@pytest.mark.parametrize("status", ["auto_hidden", "hidden"])
def test_a_hidden_comment_takes_no_reply(status):
    with pytest.raises(Conflict):
        reply_target(Parent(10, None, "proposal", 3, status), "proposal", 3)
