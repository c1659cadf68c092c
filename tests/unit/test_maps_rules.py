"""The maps' pure rules: tile URLs and their CSP source, coordinates in words, GeoJSON features."""

from __future__ import annotations

import pytest

from voting.maps.rules import (
    MapInputError,
    boundary_feature,
    check_attribution,
    check_tiles_url,
    coordinates_text,
    feature_collection,
    point_feature,
    tile_source,
)

SQUARE = {"type": "Polygon", "coordinates": [[[3.0, 45.7], [3.1, 45.7], [3.1, 45.8], [3.0, 45.7]]]}


@pytest.mark.parametrize("url", ["https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                                 "https://{s}.tile.example.org:8443/osm/{z}/{x}/{y}.png", "/tiles/{z}/{x}/{y}.webp",
                                 "  "])
def test_tile_urls_accepted(url):
    assert check_tiles_url(url) == url.strip()


@pytest.mark.parametrize("url", ["https://tile.example.org/{z}/{x}.png", "javascript:alert(1)//{z}{x}{y}",
                                 "https://tile.example.org/{z}/{x}/{y}.png; script-src *",
                                 "https://{evil}.example.org/{z}/{x}/{y}.png", "ftp://x/{z}/{x}/{y}",
                                 "https://a b/{z}/{x}/{y}", "https://x.org/" + "a" * 300 + "{z}{x}{y}"])
def test_tile_urls_refused(url):
    with pytest.raises(MapInputError):
        check_tiles_url(url)


def test_the_csp_source_of_tiles():
    assert tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert tile_source("https://{s}.tile.example.org:8443/{z}/{x}/{y}.png") == "https://*.tile.example.org:8443"
    assert tile_source("/tiles/{z}/{x}/{y}.png") is None
    assert tile_source("") is None


def test_attribution_is_one_line():
    assert check_attribution("  © OpenStreetMap\n contributors ") == "© OpenStreetMap contributors"
    with pytest.raises(MapInputError):
        check_attribution("x" * 301)


def test_coordinates_in_words():
    assert coordinates_text(45.7772, 3.087) == "45°\u202f46′\u202f38″\u00a0N, 3°\u202f05′\u202f13″\u00a0E"
    assert coordinates_text(-33.8568, -70.6483, "fr").endswith("\u00a0O")
    assert coordinates_text(-33.8568, -70.6483, "en").startswith("33°\u202f51′\u202f24″\u00a0S")
    assert coordinates_text(None, 3.0) == ""
    assert "60′" not in coordinates_text(45.99999, 3.0)  # rounding carries into the degree


def test_features():
    assert boundary_feature(None, {}) is None
    assert boundary_feature({"type": "Point", "coordinates": [1, 2]}, {}) is None
    feature = boundary_feature({"type": "Feature", "geometry": SQUARE}, {"id": 3})
    assert feature == {"type": "Feature", "geometry": SQUARE, "properties": {"id": 3}}
    point = point_feature(45.7, 3.08, {"id": 1})
    assert point is not None and point["geometry"]["coordinates"] == [3.08, 45.7]  # GeoJSON: longitude first
    assert point_feature(None, 3.0, {}) is None
    assert feature_collection([point, None]) == {"type": "FeatureCollection", "features": [point]}
