"""Comments over HTTP: the JSON API (create, list, report, moderate) and the forms on the proposal page; text is
never rendered as HTML, and refusals are clear 4xx in the caller's language."""

from __future__ import annotations

import pytest

from tests.factories import browser_login, post_form
from tests.proposal_factories import auth, insert_proposal, make_cast
from voting.admin.settings import update_city_settings

pytestmark = pytest.mark.anyio

PAYLOAD = "<script>alert('pwned')</script>\n<b>bold</b> & <img src=x onerror=alert(1)>"


async def test_write_reply_read_report_and_moderate_through_the_api(client, db_session):
    cast = await make_cast(db_session)
    await update_city_settings(db_session, actor="test", actor_id=None, changes={"comment_hide_after_reports": 1})
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    base = f"/api/v1/discussions/proposal/{proposal.id}"
    created = await client.post(base, json={"body": "First!"}, headers=await auth(client, cast.citizen))
    assert created.status_code == 201, created.text
    top = created.json()
    assert (top["body"], top["parent_id"], top["status"]) == ("First!", None, "visible")
    assert top["created_at"] and top["author_name"] == cast.citizen.display_name
    reply = await client.post(base, json={"body": "Second", "parent_id": top["id"]},
                              headers=await auth(client, cast.neighbour))
    assert reply.status_code == 201 and reply.json()["parent_id"] == top["id"]

    listed = (await client.get(base)).json()
    assert listed["count"] == 2 and listed["can_write"] is False
    assert [c["body"] for c in listed["comments"]] == ["First!"]
    assert [r["body"] for r in listed["comments"][0]["replies"]] == ["Second"]

    reported = await client.post(f"/api/v1/comments/{reply.json()['id']}/report",
                                 headers=await auth(client, cast.citizen))
    assert reported.status_code == 200 and reported.json()["status"] == "auto_hidden"
    assert reported.json()["body"] is None
    again = await client.post(f"/api/v1/comments/{reply.json()['id']}/report",
                              headers={**await auth(client, cast.citizen), "Accept-Language": "fr"})
    assert again.status_code == 409 and again.json()["detail"] == "Vous avez déjà signalé ce commentaire."

    moderation = f"/api/v1/comments/{reply.json()['id']}/moderation"
    elsewhere = await client.post(moderation, json={"action": "restore", "reason": "ok"},
                                  headers=await auth(client, cast.other_moderator))
    assert elsewhere.status_code == 403
    citizen = await client.post(moderation, json={"action": "restore", "reason": "ok"},
                                headers=await auth(client, cast.citizen))
    assert citizen.status_code == 403
    restored = await client.post(moderation, json={"action": "restore", "reason": "Fair criticism."},
                                 headers=await auth(client, cast.moderator))
    assert restored.status_code == 200 and restored.json()["status"] == "visible"
    assert (await client.get(base)).json()["comments"][0]["replies"][0]["body"] == "Second"


@pytest.mark.parametrize(("body", "status"), [
    ({"body": ""}, 422), ({"body": "x" * 2001}, 422), ({"body": "a\u202eb"}, 422), ({"body": "a\x00b"}, 422),
    ({"body": "ok", "parent_id": 0}, 400), ({}, 400)])
async def test_bad_bodies_are_clear_4xx(client, db_session, body, status):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    response = await client.post(f"/api/v1/discussions/proposal/{proposal.id}", json=body,
                                 headers=await auth(client, cast.citizen))
    assert response.status_code == status, response.text
    assert response.json()["detail"]


async def test_unknown_subjects_and_kinds_are_404(client, db_session):
    cast = await make_cast(db_session)
    headers = await auth(client, cast.citizen)
    for path in ("/api/v1/discussions/ballot/1", "/api/v1/discussions/proposal/2000000000",
                 "/api/v1/discussions/funded_project/1"):
        assert (await client.get(path)).status_code == 404
        assert (await client.post(path, json={"body": "hi"}, headers=headers)).status_code == 404
    assert (await client.post("/api/v1/comments/2000000000/report", headers=headers)).status_code == 404


async def test_the_page_shows_text_escaped_with_its_line_breaks_and_posts_through_forms(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    page = await client.get(f"/proposals/{proposal.id}")
    assert 'data-testid="comments"' in page.text and f"/login?next=/proposals/{proposal.id}" in page.text

    await browser_login(client, cast.neighbour.email)
    posted = await post_form(client, f"/discussions/proposal/{proposal.id}", {"body": PAYLOAD})
    assert posted.status_code in (302, 303)
    assert posted.headers["location"].startswith(f"/proposals/{proposal.id}#comment-")
    comment_id = int(posted.headers["location"].rsplit("-", 1)[1])
    page = await client.get(f"/proposals/{proposal.id}")
    assert "<script>alert" not in page.text and "<img src=x" not in page.text and "<b>bold" not in page.text
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;\n&lt;b&gt;bold&lt;/b&gt; &amp; " in page.text
    assert 'class="comment-body"' in page.text  # white-space: pre-wrap shows the line break, no <br> needed

    refused = await post_form(client, f"/discussions/proposal/{proposal.id}", {"body": "  "})
    assert refused.status_code == 422 and "Write something" in refused.text
    reply = await post_form(client, f"/discussions/proposal/{proposal.id}",
                            {"body": "A reply", "parent_id": str(comment_id)})
    assert reply.status_code in (302, 303)

    client.cookies.clear()
    await browser_login(client, cast.citizen.email)
    reported = await post_form(client, f"/comments/{comment_id}/report", {})
    assert reported.status_code in (302, 303)
    assert 'data-testid="reported"' in (await client.get(f"/proposals/{proposal.id}")).text

    client.cookies.clear()
    await browser_login(client, cast.moderator.email)
    page = await client.get(f"/proposals/{proposal.id}")
    assert 'data-testid="moderate"' in page.text and 'data-testid="comment-reports"' in page.text
    hidden = await post_form(client, f"/comments/{comment_id}/moderation", {"action": "hide", "reason": "Spam"})
    assert hidden.status_code in (302, 303)
    client.cookies.clear()
    page = await client.get(f"/proposals/{proposal.id}")
    assert "Hidden by a moderator:" in page.text and "Spam" in page.text and "alert" not in page.text


async def test_unconfirmed_accounts_are_told_why(client, db_session):
    from tests.proposal_factories import quick_account

    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    unconfirmed = await quick_account(db_session, home=cast.hood, email_confirmed=False)
    await browser_login(client, unconfirmed.email)
    page = await client.get(f"/proposals/{proposal.id}")
    assert 'data-testid="comment-refusal"' in page.text and 'id="comment-new"' not in page.text
    refused = await post_form(client, f"/discussions/proposal/{proposal.id}", {"body": "Hello"})
    assert refused.status_code == 403


async def test_moderators_find_reported_comments_of_their_neighbourhoods(client, db_session):
    cast = await make_cast(db_session)
    await update_city_settings(db_session, actor="test", actor_id=None, changes={"comment_hide_after_reports": 2})
    here = await insert_proposal(db_session, cast.hood, cast.citizen)
    there = await insert_proposal(db_session, cast.other_hood, cast.citizen)
    ids = {}
    for name, proposal in (("here", here), ("there", there), ("quiet", here)):
        made = await client.post(f"/api/v1/discussions/proposal/{proposal.id}", json={"body": f"About {name}"},
                                 headers=await auth(client, cast.neighbour))
        ids[name] = made.json()["id"]
    for name in ("here", "there"):
        reported = await client.post(f"/api/v1/comments/{ids[name]}/report", headers=await auth(client, cast.citizen))
        assert reported.status_code == 200

    queue = await client.get("/api/v1/comments/reported", headers=await auth(client, cast.moderator))
    assert queue.status_code == 200
    assert [(row["id"], row["open_reports"], row["status"]) for row in queue.json()] == [(ids["here"], 1, "visible")]
    assert queue.json()[0]["page"] == f"/proposals/{here.id}#comment-{ids['here']}"
    everywhere = await client.get("/api/v1/comments/reported", headers=await auth(client, cast.admin))
    assert {row["id"] for row in everywhere.json()} >= {ids["here"], ids["there"]}
    assert ids["quiet"] not in {row["id"] for row in everywhere.json()}

    await browser_login(client, cast.moderator.email)
    page = await client.get("/comments/reported")
    assert page.status_code == 200 and "About here" in page.text and "About there" not in page.text
    hidden = await post_form(client, f"/comments/{ids['here']}/moderation", {"action": "hide", "reason": "Off topic"})
    assert hidden.status_code in (302, 303)
    assert "About here" not in (await client.get("/comments/reported")).text


async def test_the_sixth_comment_in_a_row_waits_with_retry_after(client, db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen)
    headers = {**await auth(client, cast.neighbour), "Accept-Language": "fr"}
    path = f"/api/v1/discussions/proposal/{proposal.id}"
    for number in range(5):
        assert (await client.post(path, json={"body": f"n°{number}"}, headers=headers)).status_code == 201
    blocked = await client.post(path, json={"body": "encore"}, headers=headers)
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert blocked.json()["detail"].startswith("Vous écrivez trop vite")
    assert (await client.get(path)).json()["count"] == 5


async def test_the_hiding_threshold_is_a_city_setting(client, db_session):
    cast = await make_cast(db_session)
    headers = await auth(client, cast.admin)
    refused = await client.put("/api/v1/admin/settings", json={"comment_hide_after_reports": 0}, headers=headers)
    assert refused.status_code == 400 and "from 1 to 100" in refused.json()["detail"]
    saved = await client.put("/api/v1/admin/settings", json={"comment_hide_after_reports": 5}, headers=headers)
    assert saved.status_code == 200 and saved.json()["comment_hide_after_reports"] == 5
    await browser_login(client, cast.admin.email)
    form = await client.get("/admin/settings")
    assert 'id="comment_hide_after_reports"' in form.text and 'value="5"' in form.text
