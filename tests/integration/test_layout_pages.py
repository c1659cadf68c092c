"""Words and navigation of every page (templates/base.html, voting/errors.py): the French 404, the language
switch keeping the query string, the auditor's navigation, roles in words."""

from __future__ import annotations

import re

import pytest

from tests.factories import browser_login, make_account, post_form

pytestmark = pytest.mark.anyio
FR = {"accept-language": "fr"}


async def test_an_unknown_address_gets_a_french_404(client):
    page = await client.get("/no-such-page", headers=FR)
    assert page.status_code == 404
    assert "Page introuvable" in page.text and "Il n&#39;y a pas de page à cette adresse." in page.text
    assert "Not Found" not in page.text


async def test_the_language_switch_keeps_the_query_string(client):
    page = await client.get("/proposals?q=verger&status=accepted", headers=FR)
    assert 'href="/lang/en?next=/proposals%3Fq%3Dverger%26status%3Daccepted"' in page.text
    switched = await client.get("/lang/en?next=/proposals%3Fq%3Dverger%26status%3Daccepted")
    assert switched.status_code in (302, 303) and switched.headers["location"] == "/proposals?q=verger&status=accepted"


async def test_the_auditor_navigation_links_to_the_audit_pages(client, db_session):
    auditor = await make_account(db_session, "auditor")
    citizen = await make_account(db_session, "citizen")
    await browser_login(client, citizen.email)
    assert 'href="/audit"' not in (await client.get("/", headers=FR)).text
    await browser_login(client, auditor.email)
    home = await client.get("/", headers=FR)
    assert '<a href="/audit">Audit</a>' in home.text
    assert (await client.get("/audit/log", headers=FR)).status_code == 200


async def test_a_refused_neighbourhood_keeps_what_was_typed(client, db_session):
    admin = await make_account(db_session, "admin")
    await browser_login(client, admin.email)
    refused = await post_form(client, "/admin/neighbourhoods", {
        "slug": "les-jardins", "name_fr": "Les Jardins", "population": "beaucoup", "postcodes": "63000"},
        headers=FR)
    assert refused.status_code in (400, 422), refused.text
    assert 'data-testid="form-error"' in refused.text
    for kept in ('value="les-jardins"', 'value="Les Jardins"', 'value="beaucoup"', 'value="63000"'):
        assert kept in refused.text, kept


async def test_key_and_checkpoint_times_are_shown_in_the_city_zone(client, db_session):
    admin = await make_account(db_session, "admin")
    await browser_login(client, admin.email)
    keys = await client.get("/admin/keys", headers=FR)
    assert keys.status_code == 200 and "(Europe/Paris)" not in keys.text and "+00:00" not in keys.text
    assert (await client.get("/audit", headers=FR)).status_code == 200


@pytest.mark.parametrize("wrong", [{"min_voting_age": "seize"}, {"time_zone": "Mars/Olympus"},
                                   {"comment_hide_after_reports": "beaucoup"}])
async def test_refused_city_settings_keep_what_was_typed(client, db_session, wrong):
    admin = await make_account(db_session, "admin")
    await browser_login(client, admin.email)
    typed = {"city_name": "Ville typée", "default_language": "en", "currency": "CHF", "min_voting_age": "17",
             "time_zone": "Europe/Zurich", "comment_hide_after_reports": "7", "map_tiles_url": "",
             "map_attribution": "Crédit tapé", "self_registration_open": "on", **wrong}
    refused = await post_form(client, "/admin/settings", typed, headers=FR)
    assert refused.status_code in (400, 422), refused.text
    assert 'data-testid="form-error"' in refused.text
    for name, value in typed.items():
        if name not in ("default_language", "self_registration_open", "map_tiles_url"):
            assert f'name="{name}" value="{value}"' in refused.text, name
    assert '<option value="en" selected>' in refused.text
    assert re.search(r'name="self_registration_open"\s+checked', refused.text)
    assert "Ville typée" not in (await client.get("/admin/settings")).text  # nothing was stored
