"""The route handlers of the maps and of the follow-up of funded projects, for the app factory."""

from __future__ import annotations

from typing import Any

from voting.followup.api import FundedProjectAPI
from voting.followup.pages import FollowupPages
from voting.maps.api import MapAPI
from voting.maps.pages import MapPages

__all__ = ["MAP_HANDLERS"]

MAP_HANDLERS: list[Any] = [MapAPI, MapPages, FundedProjectAPI, FollowupPages]
