"""The ballot forms over HTTP: a threshold, incompatible groups, quotas, sub-budgets and blank votes set from the
browser's form, refusals shown beside their fields in the reader's language (never a 500), a draft's settings
changed, and district ballots grouped."""

from __future__ import annotations

import re

import pytest

from ballots.models import Ballot
from tests.ballot_factories import make_category, make_proposal
from tests.factories import browser_login, csrf_token, make_account, make_neighbourhood

pytestmark = pytest.mark.anyio
EN, FR = {"accept-language": "en"}, {"accept-language": "fr"}


async def post_pairs(client, path: str, pairs: list[tuple[str, str]], headers: dict[str, str]):  # type: ignore[no-untyped-def]
    """A form with repeated fields (several projects of a group), as a browser posts it."""
    data: dict[str, list[str]] = {"_csrf_token": [await csrf_token(client)]}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return await client.post(path, data=data, headers=headers)


def base(hood_id: int, proposals: list[int], **changes: str) -> list[tuple[str, str]]:
    fields = {"neighbourhood_id": str(hood_id), "title": "Jardins 2030", "budget": "100000",
              "vote_format": "approval", "rule": "greedy-threshold", "tie_break": "min-cost,max-votes,lexico",
              "opens_at": "2030-03-01T08:00", "closes_at": "2030-03-20T20:00", "min_age": "16", **changes}
    return [*fields.items(), *(("proposal_ids", str(p)) for p in proposals)]


def beside(html: str, field: str) -> str:
    found = re.search(rf'<div id="{re.escape(field)}-messages" class="field-messages">(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


async def test_a_moderator_sets_a_threshold_groups_quotas_and_blank_votes(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    a1, a2, square = [await make_proposal(db_session, hood, moderator, 30_000) for _ in range(3)]
    trees = await make_proposal(db_session, hood, moderator, 20_000)
    trees.category = await make_category(db_session)
    db_session.add(trees)
    await db_session.flush()
    await browser_login(client, moderator.email)
    form = (await client.get("/ballots/new", headers=EN)).text
    for field in ("min_project_score", "min_voter_share", "incompatible-0-projects", "min_shares-0-target",
                  "max_shares-1-value", "sub_budgets-0-value", "allow_blank"):
        assert f'id="{field}"' in form, field
    made = await post_pairs(client, "/ballots/new", base(
        hood.id, [a1.id, a2.id, square.id, trees.id], min_project_score="2", min_voter_share="10", allow_blank="on",
        **{"incompatible-0-name": "Place du marché", "min_shares-0-target": f"category:{trees.category}",
           "min_shares-0-value": "20", "sub_budgets-0-name": "Square", "sub_budgets-0-value": "40 000",
           "sub_budgets-0-projects": str(square.id)}) + [("incompatible-0-projects", str(a1.id)),
                                                         ("incompatible-0-projects", str(a2.id))], EN)
    assert made.status_code in (302, 303), made.text
    ballot_id = int(made.headers["location"].rsplit("/", 1)[1])
    ballot = await db_session.get(Ballot, ballot_id)
    assert ballot is not None and ballot.min_project_score == 2 and ballot.min_voter_share == 10 and ballot.allow_blank
    assert ballot.constraints["incompatible"] == [{"name": "Place du marché", "projects": [a1.id, a2.id]}]
    assert ballot.constraints["min_shares"] == [{"name": trees.category, "category": trees.category, "percent": 20.0,
                                                 "projects": [trees.id]}]
    assert ballot.constraints["sub_budgets"] == [{"name": "Square", "amount": 40_000, "projects": [square.id]}]
    page = (await client.get(f"/ballots/{ballot_id}", headers=FR)).text
    assert 'data-testid="ballot-threshold"' in page and "au moins 2" in page
    incompatible = re.search(r'data-testid="ballot-incompatible">(.*?)</li>', page, re.S)
    assert incompatible and "Place du marché" in incompatible.group(1) and a1.title in incompatible.group(1)
    assert 'data-testid="ballot-blank"' in page
    edit = (await client.get(f"/ballots/{ballot_id}/edit", headers=EN)).text  # the stored settings, as the form shows
    assert 'id="min_project_score" name="min_project_score" type="number" min="0" value="2"' in edit
    for chosen in (a1.id, a2.id):
        assert f'<option value="{chosen}" selected>' in edit
    assert f'<option value="category:{trees.category}" selected>' in edit and 'value="40000"' in edit


async def test_refusals_come_back_beside_their_fields_in_french(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    a1, a2 = [await make_proposal(db_session, hood, moderator, 30_000) for _ in range(2)]
    await browser_login(client, moderator.email)
    refused = await post_pairs(client, "/ballots/new", base(
        hood.id, [a1.id, a2.id], rule="greedy", min_voter_share="150",
        **{"incompatible-0-name": "Seul", "incompatible-0-projects": str(a1.id), "min_shares-1-value": "beaucoup",
           "min_shares-1-name": "Arbres"}), FR)
    assert refused.status_code == 422, refused.text
    assert "Saisissez un pourcentage entre 0 et 100." in beside(refused.text, "min_shares-0-value")
    assert 'value="beaucoup"' in refused.text and 'value="Seul"' in refused.text  # kept as typed
    typed = await post_pairs(client, "/ballots/new", base(
        hood.id, [a1.id, a2.id], rule="greedy", min_voter_share="150",
        **{"incompatible-0-name": "Seul", "incompatible-0-projects": str(a1.id)}), FR)
    assert typed.status_code == 422
    assert "entre 0 et 100" in beside(typed.text, "min_voter_share")
    assert "greedy" in beside(typed.text, "rule")  # the rule would ignore the threshold
    assert "doit en compter au moins deux" in beside(typed.text, "incompatible-0")
    assert 'aria-invalid="true" aria-describedby="min_voter_share-messages' in typed.text
    words = await post_pairs(client, "/ballots/new", base(hood.id, [a1.id], min_project_score="deux"), FR)
    assert words.status_code == 422 and "Saisissez un nombre." in beside(words.text, "min_project_score")
    assert "Traceback" not in words.text


async def moderator_draft(client, db_session):  # type: ignore[no-untyped-def]
    """A draft of two proposals made from the form by its neighbourhood's logged-in moderator: the neighbourhood,
    the proposals and the ballot's number."""
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    a1, a2 = [await make_proposal(db_session, hood, moderator, 30_000) for _ in range(2)]
    await browser_login(client, moderator.email)
    made = await post_pairs(client, "/ballots/new", base(hood.id, [a1.id, a2.id]), EN)
    return hood, (a1, a2), int(made.headers["location"].rsplit("/", 1)[1])


async def test_a_draft_settings_change_and_freeze_once_open(client, db_session):
    hood, (a1, a2), ballot_id = await moderator_draft(client, db_session)
    changed = await post_pairs(client, f"/ballots/{ballot_id}/edit", base(
        hood.id, [], title="Jardins 2031", min_voter_share="5",
        **{"incompatible-3-name": "Même site", "max_shares-0-target": f"neighbourhood:{hood.slug}",
           "max_shares-0-value": "60,5"}) + [("incompatible-3-projects", str(a1.id)),
                                             ("incompatible-3-projects", str(a2.id))], EN)
    assert changed.status_code in (302, 303), changed.text
    ballot = await db_session.get(Ballot, ballot_id)
    await db_session.refresh(ballot)
    assert ballot is not None and ballot.title == "Jardins 2031" and ballot.min_voter_share == 5
    assert ballot.constraints["incompatible"][0]["projects"] == [a1.id, a2.id]
    assert ballot.constraints["max_shares"][0]["percent"] == 60.5
    refused = await post_pairs(client, f"/ballots/{ballot_id}/edit", base(hood.id, [], budget="0"), EN)
    assert refused.status_code == 422 and beside(refused.text, "budget")
    ballot.status = "open"
    db_session.add(ballot)
    await db_session.flush()
    frozen = await client.get(f"/ballots/{ballot_id}/edit", headers=EN)
    assert frozen.status_code == 409 and "frozen once it opens" in frozen.text
    late = await post_pairs(client, f"/ballots/{ballot_id}/edit", base(hood.id, [], title="Trop tard"), EN)
    assert late.status_code == 409 and "frozen once it opens" in late.text


async def test_a_draft_saved_as_shown_keeps_its_seconds(client, db_session):
    """The form shows opening and closing to the minute; sent back unchanged they keep their stored seconds (the
    audit entry names only what changed); a time the moderator changes is stored as typed."""
    from datetime import UTC, datetime

    from sqlmodel import select

    from voting.models import AuditEntry

    hood, (a1, a2), ballot_id = await moderator_draft(client, db_session)
    ballot = await db_session.get(Ballot, ballot_id)
    assert ballot is not None
    opens, closes = datetime(2030, 3, 1, 7, 0, 42, tzinfo=UTC), datetime(2030, 3, 20, 19, 0, 59, 500, tzinfo=UTC)
    ballot.opens_at, ballot.closes_at = opens, closes  # as the API may set them
    db_session.add(ballot)
    await db_session.flush()
    form = (await client.get(f"/ballots/{ballot_id}/edit", headers=EN)).text
    shown = {name: re.search(rf'id="{name}" name="{name}" type="datetime-local" required value="([^"]*)"',
                             form).group(1) for name in ("opens_at", "closes_at")}  # type: ignore[union-attr]
    assert all(len(value) == 16 for value in shown.values()), shown  # to the minute
    saved = await post_pairs(client, f"/ballots/{ballot_id}/edit", base(hood.id, [], title="Jardins 2031", **shown),
                             EN)
    assert saved.status_code in (302, 303), saved.text
    await db_session.refresh(ballot)
    assert (ballot.title, ballot.opens_at, ballot.closes_at) == ("Jardins 2031", opens, closes)
    entry = (await db_session.exec(select(AuditEntry).where(AuditEntry.subject == f"ballot:{ballot_id}",
                                                            AuditEntry.action == "ballot.updated"))).one()
    assert entry.data["fields"] == ["title"]
    moved = await post_pairs(client, f"/ballots/{ballot_id}/edit", base(
        hood.id, [], title="Jardins 2031", opens_at=shown["opens_at"], closes_at=shown["closes_at"][:-2] + "30"), EN)
    assert moved.status_code in (302, 303), moved.text
    await db_session.refresh(ballot)
    assert ballot.opens_at == opens and ballot.closes_at == closes.replace(minute=30, second=0, microsecond=0)


async def district_drafts(client, db_session, **changes: str) -> list[int]:  # type: ignore[no-untyped-def]
    """Three drafts of three districts made from the form (with ``changes``) by a logged-in admin: their numbers."""
    hoods = [await make_neighbourhood(db_session) for _ in range(3)]
    admin = await make_account(db_session, "admin")
    await browser_login(client, admin.email)
    ids = []
    for hood in hoods:
        proposal = await make_proposal(db_session, hood, admin, 10_000)
        made = await post_pairs(client, "/ballots/new", base(hood.id, [proposal.id], **changes), EN)
        assert made.status_code in (302, 303), made.text
        ids.append(int(made.headers["location"].rsplit("/", 1)[1]))
    return ids


async def test_district_ballots_grouped_from_the_form(client, db_session):
    ids = await district_drafts(client, db_session, requires_residence="on")
    residents_only = await post_pairs(client, "/ballots/groups/new", [
        ("title", "Districts 2030"), ("extra_districts", "1"), *(("ballot_ids", str(i)) for i in ids)], EN)
    assert residents_only.status_code == 422 and "turn residence off" in beside(residents_only.text, "ballot_ids")
    for ballot_id in ids:
        ballot = await db_session.get(Ballot, ballot_id)
        assert ballot is not None
        ballot.requires_residence = False
        db_session.add(ballot)
    await db_session.flush()
    too_many = await post_pairs(client, "/ballots/groups/new", [
        ("title", "Districts 2030"), ("extra_districts", "2"), *(("ballot_ids", str(i)) for i in ids)], FR)
    assert too_many.status_code == 422 and beside(too_many.text, "extra_districts")
    grouped = await post_pairs(client, "/ballots/groups/new", [
        ("title", "Districts 2030"), ("extra_districts", "1"), *(("ballot_ids", str(i)) for i in ids)], EN)
    assert grouped.status_code in (302, 303), grouped.text
    page = (await client.get(f"/ballots/{ids[1]}", headers=EN)).text
    assert re.search(r'data-testid="ballot-group">[^<]*Districts 2030[^<]*own district and 1 other\.', page)


async def grouped_drafts(client, db_session) -> tuple[list[int], list[tuple[str, str]], int]:  # type: ignore[no-untyped-def]
    """Three district drafts grouped from the form by a logged-in admin: their numbers, their form fields and the
    group's number."""
    ids = await district_drafts(client, db_session)
    members = [("ballot_ids", str(i)) for i in ids]
    grouped = await post_pairs(client, "/ballots/groups/new", [("title", "Districts 2030"), ("extra_districts", "1"),
                                                               *members], EN)
    assert grouped.status_code in (302, 303), grouped.text
    ballot = await db_session.get(Ballot, ids[0])
    assert ballot is not None and ballot.group_id is not None
    return ids, members, ballot.group_id


async def test_a_group_is_changed_and_deleted_from_its_form_while_drafts(client, db_session):
    from ballots.groups.models import BallotGroup

    ids, members, group_id = await grouped_drafts(client, db_session)
    manage = (await client.get(f"/ballots/{ids[0]}/manage", headers=FR)).text
    assert f'href="/ballots/groups/{group_id}/edit">Modifier ou supprimer son groupe</a>' in manage
    form = (await client.get(f"/ballots/groups/{group_id}/edit", headers=EN)).text
    assert "Change the group Districts 2030" in form and 'value="Districts 2030"' in form
    assert all(f'name="ballot_ids" value="{i}" checked' in form for i in ids)
    assert f'action="/ballots/groups/{group_id}/delete"' in form and "Delete the group" in form
    refused = await post_pairs(client, f"/ballots/groups/{group_id}/edit", [
        ("title", "Districts 2031"), ("extra_districts", "1"), *members[:2]], FR)  # two districts: 1 other is all
    assert refused.status_code == 422 and "entre 0 et 0" in beside(refused.text, "extra_districts")
    changed = await post_pairs(client, f"/ballots/groups/{group_id}/edit", [
        ("title", "Districts 2031"), ("extra_districts", "0"), *members[:2]], EN)
    assert changed.status_code in (302, 303), changed.text
    group = await db_session.get(BallotGroup, group_id)
    assert group is not None
    await db_session.refresh(group)
    assert (group.title, group.extra_districts) == ("Districts 2031", 0)
    left = await db_session.get(Ballot, ids[2])
    assert left is not None
    await db_session.refresh(left)
    assert left.group_id is None
    deleted = await post_pairs(client, f"/ballots/groups/{group_id}/delete", [], EN)
    assert deleted.status_code in (302, 303) and deleted.headers["location"] == f"/ballots/{ids[0]}/manage"
    assert (await client.get(f"/ballots/groups/{group_id}/edit", headers=EN)).status_code == 404
    for ballot_id in ids:
        stays = await db_session.get(Ballot, ballot_id)
        assert stays is not None
        await db_session.refresh(stays)
        assert (stays.group_id, stays.status) == (None, "draft")


async def test_a_moderator_of_one_district_is_not_offered_the_group_they_cannot_change(client, db_session):
    """The manage page links to the group's form only for whom manages every ballot of it; a moderator of one
    district reads who can change it instead (the form would answer them 403)."""
    ids, _members, group_id = await grouped_drafts(client, db_session)
    first = await db_session.get(Ballot, ids[0])
    assert first is not None and first.neighbourhood_id is not None
    from voting.models import Neighbourhood

    hood = await db_session.get(Neighbourhood, first.neighbourhood_id)
    assert hood is not None
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    await browser_login(client, moderator.email)
    page = await client.get(f"/ballots/{ids[0]}/manage", headers=FR)
    assert page.status_code == 200
    assert f"/ballots/groups/{group_id}/edit" not in page.text
    assert 'data-testid="group-elsewhere"' in page.text and "un modérateur de tous ces quartiers" in page.text
    assert (await client.get(f"/ballots/groups/{group_id}/edit", headers=EN)).status_code == 403
    assert (await client.get(f"/ballots/{ids[1]}/manage", headers=EN)).status_code == 403


async def test_a_group_with_an_open_ballot_is_refused_in_french_and_english(client, db_session):
    ids, members, group_id = await grouped_drafts(client, db_session)
    opened = await db_session.get(Ballot, ids[1])
    assert opened is not None
    opened.status = "open"
    db_session.add(opened)
    await db_session.flush()
    for headers, words in ((EN, f"Ballot {ids[1]} of this group is no longer a draft"),
                           (FR, f"Le scrutin {ids[1]} de ce groupe n’est plus un brouillon")):
        form = await client.get(f"/ballots/groups/{group_id}/edit", headers=headers)
        assert form.status_code == 409 and words in form.text
        assert f'action="/ballots/groups/{group_id}/delete"' not in form.text
        changed = await post_pairs(client, f"/ballots/groups/{group_id}/edit", [
            ("title", "Districts 2031"), ("extra_districts", "0"), *members], headers)
        deleted = await post_pairs(client, f"/ballots/groups/{group_id}/delete", [], headers)
        stale = await post_pairs(client, f"/ballots/groups/{group_id}/edit", [  # a form also refused as typed
            ("title", "D"), ("extra_districts", "many"), *members], headers)
        for answer in (changed, deleted, stale):
            assert answer.status_code == 409 and words in answer.text and "Traceback" not in answer.text
    for ballot_id in ids:
        stays = await db_session.get(Ballot, ballot_id)
        assert stays is not None
        await db_session.refresh(stays)
        assert stays.group_id == group_id
