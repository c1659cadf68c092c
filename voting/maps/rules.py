"""Pure map rules: base-tile URLs and the CSP source they need, coordinates in words, GeoJSON features."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from voting.domain import Invalid

__all__ = ["MapInputError", "check_tiles_url", "check_attribution", "tile_source", "coordinates_text",
           "coordinates_words", "boundary_feature", "point_feature", "feature_collection", "TILES_MAX"]

TILES_MAX = 300
_TILES = re.compile(r"^(?:https?://[A-Za-z0-9{}.-]+(?::[0-9]{1,5})?)?/[^\s\"'<>\\;,]*$")
_ORIGIN = re.compile(r"^(https?://[A-Za-z0-9{}.-]+(?::[0-9]{1,5})?)/")


class MapInputError(Invalid):
    """A map setting an administrator must correct."""


def check_tiles_url(url: str) -> str:
    """A base-tile URL template (``https://tile.example.org/{z}/{x}/{y}.png``, ``{s}`` for subdomains, or a path
    on this site); blank means no base tiles: the neighbourhood boundaries alone are drawn."""
    from voting.i18n import gettext as _

    url = url.strip()
    if not url:
        return ""
    if len(url) > TILES_MAX or not _TILES.match(url) or not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise MapInputError(_("The map tiles address must be an http(s) address or a path holding {z}, {x} and {y}, "
                              "such as https://tile.openstreetmap.org/{z}/{x}/{y}.png."))
    host = _ORIGIN.match(url)
    if host and "{" in host.group(1).replace("{s}", ""):
        raise MapInputError(_("Only {s} may stand in the host name of the map tiles address."))
    return url


def tile_source(url: str) -> str | None:
    """The Content-Security-Policy source the tiles are loaded from: ``https://*.tile.example.org`` for a
    ``{s}`` subdomain; None for no tiles or tiles served by this site (``'self'`` covers them)."""
    host = _ORIGIN.match(url or "")
    if host is None:
        return None
    return host.group(1).replace("{s}", "*")


def _dms(value: float, positive: str, negative: str) -> str:
    hemisphere = positive if value >= 0 else negative
    seconds = round(abs(value) * 3600)
    degrees, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{degrees}°\u202f{minutes:02d}′\u202f{seconds:02d}″\u00a0{hemisphere}"


def coordinates_text(latitude: float | None, longitude: float | None, language: str = "en") -> str:
    """``45° 46′ 38″ N, 3° 05′ 13″ E`` (west is ``O`` in French); empty without both numbers."""
    if latitude is None or longitude is None:
        return ""
    west = "O" if language == "fr" else "W"
    return f"{_dms(latitude, 'N', 'S')}, {_dms(longitude, 'E', west)}"


def boundary_feature(geometry: Mapping[str, Any] | None, properties: Mapping[str, Any]) -> dict[str, Any] | None:
    """A neighbourhood's stored boundary (a Polygon, a MultiPolygon or a Feature) as a GeoJSON Feature."""
    if not geometry:
        return None
    if geometry.get("type") == "Feature":
        geometry = geometry.get("geometry") or {}
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    return {"type": "Feature", "geometry": dict(geometry), "properties": dict(properties)}


def point_feature(latitude: float | None, longitude: float | None,
                  properties: Mapping[str, Any]) -> dict[str, Any] | None:
    """A point (GeoJSON is longitude first); None without both coordinates."""
    if latitude is None or longitude is None:
        return None
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
            "properties": dict(properties)}


def feature_collection(features: Iterable[dict[str, Any] | None]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [f for f in features if f is not None]}


def check_attribution(text: str) -> str:
    """The tiles' credit shown on the maps: one line of plain text (the map script escapes it)."""
    from voting.i18n import gettext as _

    line = " ".join(text.split())
    if len(line) > TILES_MAX or any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in line):
        raise MapInputError(_("The map tiles credit must be one line of at most 300 characters."))
    return line


def coordinates_words(latitude: float | None, longitude: float | None) -> str:
    """:func:`coordinates_text` in the reader's language (the templates' ``coordinates`` filter)."""
    from voting.i18n import current_language

    return coordinates_text(latitude, longitude, current_language())
