"""The calendar on pages: the home page's timeline, and the admin page where admins and moderators set dates."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import browser_login, make_account, make_neighbourhood, post_form
from tests.proposal_factories import audit_of
from voting.calendar.models import ProcessPhase

pytestmark = pytest.mark.anyio
EN = {"accept-language": "en"}
FR = {"accept-language": "fr"}


async def city_calendar(db_session):
    now = datetime.now(UTC)
    spans = {"proposals": (-60, -40), "supports": (-40, -20), "review": (-20, -1), "vote": (-1, 20),
             "results": (20, 50)}
    for phase, (start, end) in spans.items():
        db_session.add(ProcessPhase(phase=phase, starts_at=now + timedelta(days=start),
                                    ends_at=now + timedelta(days=end)))
    await db_session.flush()


def timeline_items(html):
    found = re.findall(r'<li class="phase phase-(\w+)" data-phase="(\w+)"', html)
    return [(phase, state) for state, phase in found]


async def test_the_home_page_says_when_there_is_no_calendar(client):
    page = await client.get("/", headers=EN)
    assert page.status_code == 200
    assert "has not set its calendar yet" in page.text and 'data-testid="timeline"' not in page.text


async def test_the_home_page_shows_the_phases_as_a_list_with_the_current_one_marked(client, db_session):
    await city_calendar(db_session)
    page = await client.get("/", headers=EN)
    assert timeline_items(page.text) == [("proposals", "past"), ("supports", "past"), ("review", "past"),
                                         ("vote", "current"), ("results", "upcoming")]
    assert page.text.count('aria-current="step"') == 1 and "Times are in Europe/Paris." in page.text
    french = await client.get("/", headers=FR)
    assert "Calendrier du budget participatif" in french.text and "Examen par la ville" in french.text


async def test_a_resident_sees_their_neighbourhoods_own_dates(client, db_session):
    await city_calendar(db_session)
    hood = await make_neighbourhood(db_session)
    now = datetime.now(UTC)
    db_session.add(ProcessPhase(neighbourhood_id=hood.id, phase="supports", starts_at=now - timedelta(days=1),
                                ends_at=now + timedelta(days=1)))
    resident = await make_account(db_session)
    resident.neighbourhood_id = hood.id
    db_session.add(resident)
    await db_session.flush()
    await browser_login(client, resident.email)
    items = timeline_items((await client.get("/", headers=EN)).text)
    assert ("supports", "current") in items and ("vote", "current") in items


async def test_an_admin_sets_the_citys_calendar_on_the_page(client, db_session):
    admin = await make_account(db_session, "admin")
    await browser_login(client, admin.email)
    page = await client.get("/admin/calendar", headers=EN)
    assert page.status_code == 200 and 'data-testid="calendar-form"' in page.text
    saved = await post_form(client, "/admin/calendar", {"neighbourhood": "", "vote_starts": "2031-03-01T09:00",
                                                        "vote_ends": "2031-03-20T18:00"}, headers=EN)
    assert saved.status_code in (302, 303), saved.text
    shown = await client.get(saved.headers["location"], headers=EN)
    assert 'value="2031-03-01T09:00"' in shown.text and "Saved." in shown.text
    assert [e.action for e in await audit_of(db_session, "calendar:city")] == ["calendar.set"]
    bad = await post_form(client, "/admin/calendar", {"neighbourhood": "", "vote_starts": "2031-03-20T09:00",
                                                      "vote_ends": "2031-03-01T18:00", "review_starts": "soon",
                                                      "review_ends": "2031-03-01T18:00"}, headers=EN)
    assert bad.status_code == 422 and "The dates of the phase Review by the city are not valid." in bad.text
    assert 'value="2031-03-20T09:00"' in bad.text  # what was typed stays in the form
    reversed_ = await post_form(client, "/admin/calendar", {"neighbourhood": "", "vote_starts": "2031-03-20T09:00",
                                                            "vote_ends": "2031-03-01T18:00"}, headers=EN)
    assert reversed_.status_code == 422 and "The phase Voting must end after it starts." in reversed_.text
    assert [e.action for e in await audit_of(db_session, "calendar:city")] == ["calendar.set"]  # nothing more


async def test_a_moderator_sets_only_their_neighbourhoods_calendar(client, db_session):
    hood, other = await make_neighbourhood(db_session), await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    await browser_login(client, moderator.email)
    page = await client.get("/admin/calendar", headers=EN)
    assert page.status_code == 200 and f'value="{hood.id}"' in page.text and f'value="{other.id}"' not in page.text
    saved = await post_form(client, "/admin/calendar", {"neighbourhood": str(hood.id),
                                                        "supports_starts": "2031-01-01T00:00",
                                                        "supports_ends": "2031-02-01T00:00"}, headers=EN)
    assert saved.status_code in (302, 303), saved.text
    refused = await post_form(client, "/admin/calendar", {"neighbourhood": str(other.id),
                                                          "supports_starts": "2031-01-01T00:00",
                                                          "supports_ends": "2031-02-01T00:00"}, headers=EN)
    assert refused.status_code == 403 and "Only moderators of this neighbourhood" in refused.text
    city = await post_form(client, "/admin/calendar", {"neighbourhood": "", "vote_starts": "2031-01-01T00:00",
                                                       "vote_ends": "2031-02-01T00:00"}, headers=EN)
    assert city.status_code == 403
    assert [e.action for e in await audit_of(db_session, f"calendar:{hood.id}")] == ["calendar.set"]
    assert await audit_of(db_session, f"calendar:{other.id}") == []


async def test_citizens_and_visitors_cannot_open_the_admin_page(client, db_session):
    assert (await client.get("/admin/calendar", headers=EN)).status_code in (302, 303, 401)
    citizen = await make_account(db_session)
    await browser_login(client, citizen.email)
    assert (await client.get("/admin/calendar", headers=EN)).status_code == 403


async def test_the_demo_calendar_puts_the_open_ballot_in_the_vote_phase_and_keeps_an_admins_edits(client, db_session):
    from tests.ballot_factories import make_open_ballot
    from voting.calendar.demo_seed import seed_calendar_demo

    hood = await make_neighbourhood(db_session)
    ballot, _ = await make_open_ballot(db_session, hood, await make_account(db_session, "admin"))
    assert await seed_calendar_demo(db_session, ballot) == 5
    assert await seed_calendar_demo(db_session, ballot) == 0
    items = timeline_items((await client.get("/", headers=EN)).text)
    assert items == [("proposals", "past"), ("supports", "past"), ("review", "past"), ("vote", "current"),
                     ("results", "upcoming")]
    assert [e.action for e in await audit_of(db_session, "calendar:city")] == ["calendar.set"]
