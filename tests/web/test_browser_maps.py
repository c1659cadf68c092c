"""In Chromium: a proposer places a proposal by clicking on the map; the maps draw the neighbourhoods from their
stored GeoJSON (no base tiles in the demo), pass axe and fit a 390 px phone."""

from __future__ import annotations

import uuid

import pytest

from tests.web.conftest import assert_accessible, login
from voting.demo import DEMO_ACCOUNTS
from voting.maps.demo_seed import DEMO_BOXES

pytestmark = pytest.mark.browser

CITIZEN = next(account for account in DEMO_ACCOUNTS if account.role == "citizen")


def fits(page, width: int = 390) -> None:  # type: ignore[no-untyped-def]
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width}"


def test_a_proposer_places_the_proposal_by_clicking_on_the_map(page):
    title = f"Mare pédagogique {uuid.uuid4().hex[:8]}"
    login(page, CITIZEN.email, CITIZEN.password)
    page.goto("/proposals/new")
    picker = page.get_by_test_id("location-picker")
    page.wait_for_selector("[data-testid=location-picker][data-ready='1']")
    assert page.locator("[data-testid=location-picker] path.leaflet-interactive").count() >= 5  # the boundaries
    page.select_option("#neighbourhood_id", label="Centre – Jaude")
    page.wait_for_timeout(600)  # the map zooms to the neighbourhood
    box = picker.bounding_box()
    assert box is not None
    picker.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    latitude, longitude = float(page.input_value("#latitude")), float(page.input_value("#longitude"))
    south, west, north, east = DEMO_BOXES["centre-jaude"]
    assert south <= latitude <= north and west <= longitude <= east
    assert page.locator("[data-testid=location-picker] .leaflet-marker-icon").count() == 1
    assert_accessible(page)
    page.fill("#title", title)
    page.fill("#summary", "Une mare pour les écoles du quartier.")
    page.select_option("#category", "garden")
    page.fill("#estimated_cost", "12000")
    page.get_by_role("button", name="Soumettre à l'examen").click()
    page.wait_for_url("**/proposals/*")
    shown = page.get_by_test_id("coordinates").inner_text()
    assert "° " in shown.replace("\u202f", " ") and " N, " in shown.replace("\u00a0", " ") and shown.endswith("E")
    page.wait_for_selector("[data-testid=proposal-place][data-ready='1']")
    assert page.locator("[data-testid=proposal-place] .leaflet-marker-icon").count() == 1
    marker = page.get_by_test_id("proposal-place")
    assert abs(float(marker.get_attribute("data-marker-lat") or 0) - latitude) < 1e-5


def test_typing_the_coordinates_moves_the_marker(page):
    login(page, CITIZEN.email, CITIZEN.password)
    page.goto("/proposals/new")
    page.wait_for_selector("[data-testid=location-picker][data-ready='1']")
    page.fill("#latitude", "45.79")
    page.fill("#longitude", "3.11")
    picker = page.get_by_test_id("location-picker")
    assert picker.get_attribute("data-marker-lat") == "45.79"
    assert page.locator("[data-testid=location-picker] .leaflet-marker-icon").count() == 1


def test_the_map_of_proposals_filters_and_fits_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/map")
    page.wait_for_selector("[data-testid=proposal-map][data-ready='1']")
    everything = int(page.get_by_test_id("proposal-map").get_attribute("data-point-count") or 0)
    assert everything >= 10
    assert page.locator("[data-testid=proposal-map] .leaflet-marker-icon").count() == everything
    fits(page)
    assert_accessible(page)
    page.select_option("#neighbourhood", label="Montferrand")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_selector("[data-testid=proposal-map][data-ready='1']")
    some = int(page.get_by_test_id("proposal-map").get_attribute("data-point-count") or 0)
    assert 0 < some < everything
    assert page.get_by_test_id("map-list").locator("li").count() == some
    page.locator("[data-testid=proposal-map] .leaflet-marker-icon").first.click()
    assert page.locator(".leaflet-popup-content a").count() == 1
    fits(page)


def test_the_ballot_page_draws_its_neighbourhood_and_projects(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/ballots")
    page.locator("main a[href^='/ballots/']").first.click()
    page.wait_for_selector("[data-testid=ballot-map][data-ready='1']")
    assert int(page.get_by_test_id("ballot-map").get_attribute("data-boundary-count") or 0) >= 1
    assert_accessible(page)


@pytest.mark.parametrize("width", [390, 1280])
def test_map_pages_pass_axe_and_fit(page, width):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto("/building")
    page.wait_for_selector("[data-testid=building-map][data-ready='1']")
    project = page.get_by_test_id("funded-projects").locator("h3 a").first.get_attribute("href")
    page.goto("/map?status=accepted")
    page.wait_for_selector("[data-testid=proposal-map][data-ready='1']")
    proposal = page.get_by_test_id("map-list").locator("a").first.get_attribute("href")
    for path, ready in ((project, "project-place"), (proposal, "proposal-place"), ("/building", "building-map"),
                        ("/map", "proposal-map")):
        page.goto(str(path))
        page.wait_for_selector(f"[data-testid={ready}][data-ready='1']")
        fits(page, width)
        assert_accessible(page)
