"""Pure rules for city administration input: slugs, names, postcodes, GeoJSON boundaries, city settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from voting.domain import DomainError
from voting.i18n import gettext as _
from voting.maps.rules import check_attribution, check_tiles_url
from voting.presentation import is_time_zone

__all__ = [
    "AdminInputError",
    "CitySettings",
    "DEFAULT_SETTINGS",
    "check_slug",
    "check_name",
    "check_postcodes",
    "check_population",
    "check_boundary",
    "check_settings",
]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
POSTCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")
CURRENCIES = ("EUR", "CHF", "GBP", "USD", "CAD", "PLN")


class AdminInputError(DomainError):
    """Input an administrator must correct; the message says what and why."""


@dataclass(frozen=True)
class CitySettings:
    city_name: str = "Clermont-Ferrand"
    default_language: str = "fr"
    currency: str = "EUR"
    min_voting_age: int = 16
    self_registration_open: bool = True
    time_zone: str = "Europe/Paris"
    comment_hide_after_reports: int = 3
    """A comment is hidden, until a moderator decides, once this many residents reported it."""
    map_tiles_url: str = ""
    """Base map tiles (``https://…/{z}/{x}/{y}.png``); blank: the maps draw the neighbourhood boundaries alone."""
    map_attribution: str = ""


DEFAULT_SETTINGS = CitySettings()


def check_slug(slug: str) -> str:
    slug = slug.strip()
    if not SLUG.match(slug) or len(slug) > 64:
        raise AdminInputError(_("A slug is 1 to 64 lower-case letters, digits and single hyphens (got {slug}).")
                              .format(slug=slug or "''"))
    return slug


def check_name(name: str, label: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise AdminInputError(_("The {label} name must be 1 to 120 characters.").format(label=label))
    return name


def check_postcodes(postcodes: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(code.strip().upper() for code in postcodes if code.strip()))
    for code in cleaned:
        if not POSTCODE.match(code):
            raise AdminInputError(_("{code} is not a postcode.").format(code=code))
    return cleaned


def check_population(population: int | None) -> int | None:
    if population is not None and not 0 < population < 50_000_000:
        raise AdminInputError(_("The population must be a positive number."))
    return population


def _position(value: Any) -> bool:
    return (isinstance(value, list) and len(value) in (2, 3)
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value)
            and -180 <= value[0] <= 180 and -90 <= value[1] <= 90)


def _ring(ring: Any) -> bool:
    return isinstance(ring, list) and len(ring) >= 4 and all(_position(p) for p in ring) and ring[0] == ring[-1]


def _polygon(rings: Any) -> bool:
    return isinstance(rings, list) and len(rings) >= 1 and all(_ring(r) for r in rings)


def check_boundary(boundary: Any) -> dict[str, Any] | None:
    """A GeoJSON Polygon or MultiPolygon (or a Feature holding one), with closed rings of lon/lat positions."""
    if boundary in (None, "", {}):
        return None
    geometry = boundary.get("geometry") if isinstance(boundary, dict) and boundary.get("type") == "Feature" \
        else boundary
    if not isinstance(geometry, dict):
        raise AdminInputError(_("The boundary must be a GeoJSON object."))
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    valid = (kind == "Polygon" and _polygon(coordinates)) or (
        kind == "MultiPolygon" and isinstance(coordinates, list) and len(coordinates) >= 1
        and all(_polygon(p) for p in coordinates))
    if kind not in ("Polygon", "MultiPolygon"):
        raise AdminInputError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    if not valid:
        raise AdminInputError(_("The boundary's rings must be closed lists of at least four longitude/latitude "
                                "positions."))
    return {"type": kind, "coordinates": coordinates}


def check_settings(values: dict[str, Any]) -> CitySettings:
    """Validate a full set of city settings (unknown keys refused)."""
    unknown = set(values) - set(CitySettings.__dataclass_fields__)
    if unknown:
        raise AdminInputError(_("Unknown setting {name}.").format(name=sorted(unknown)[0]))
    merged = {**DEFAULT_SETTINGS.__dict__, **values}
    name = " ".join(str(merged["city_name"]).split())
    if not name or len(name) > 120:
        raise AdminInputError(_("The city name must be 1 to 120 characters."))
    if merged["default_language"] not in ("fr", "en"):
        raise AdminInputError(_("The default language must be fr or en."))
    if merged["currency"] not in CURRENCIES:
        raise AdminInputError(_("The currency must be one of {codes}.").format(codes=", ".join(CURRENCIES)))
    age = merged["min_voting_age"]
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 25:
        raise AdminInputError(_("The minimum voting age must be a whole number from 0 to 25."))
    if not isinstance(merged["self_registration_open"], bool):
        raise AdminInputError(_("Self-registration must be on or off."))
    zone = str(merged["time_zone"]).strip()
    if not is_time_zone(zone):
        raise AdminInputError(_("{zone} is not a time zone name such as Europe/Paris.").format(zone=zone or "''"))
    reports = merged["comment_hide_after_reports"]
    if isinstance(reports, bool) or not isinstance(reports, int) or not 1 <= reports <= 100:
        raise AdminInputError(_("The number of reports that hides a comment must be a whole number from 1 to 100."))
    maps = {"map_tiles_url": check_tiles_url(str(merged["map_tiles_url"])),
            "map_attribution": check_attribution(str(merged["map_attribution"]))}
    return CitySettings(**maps,
                        city_name=name, default_language=merged["default_language"], currency=merged["currency"],
                        min_voting_age=age, self_registration_open=merged["self_registration_open"], time_zone=zone,
                        comment_hide_after_reports=reports)
