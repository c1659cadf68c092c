"""Every census, residence and desk route handler, for the app factory to register."""

from __future__ import annotations

from typing import Any

from auth.census.api import CensusAPI, DeskAPI, ResidenceAPI
from auth.census.desk_pages import DeskPages
from auth.census.pages import CensusPages, ResidencePages

__all__ = ["CENSUS_HANDLERS"]

CENSUS_HANDLERS: list[Any] = [CensusAPI, ResidenceAPI, DeskAPI, CensusPages, ResidencePages, DeskPages]
