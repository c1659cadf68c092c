"""The route handlers of the maps and of the follow-up of funded projects, for the app factory."""

from __future__ import annotations

from typing import Any

from voting.maps.api import MapAPI
from voting.maps.pages import MapPages

__all__ = ["MAP_HANDLERS"]

MAP_HANDLERS: list[Any] = [MapAPI, MapPages]
