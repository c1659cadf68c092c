"""City settings stored in the database, read through a short per-process cache so changes apply without restart."""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from voting.admin.models import Setting
from voting.admin.rules import DEFAULT_SETTINGS, CitySettings, check_settings
from voting.audit.service import record
from voting.reference import reference

__all__ = ["load_city_settings", "update_city_settings", "cached_city_settings", "CACHE_SECONDS"]

CACHE_SECONDS = 5.0
_cache: dict[int, tuple[float, CitySettings]] = {}
"""Per session maker (per app), when the settings were read and what they were."""


async def load_city_settings(session: AsyncSession) -> CitySettings:
    rows = (await session.exec(select(Setting))).all()
    stored = {row.key: row.value for row in rows if row.key in CitySettings.__dataclass_fields__}
    return check_settings(stored) if stored else DEFAULT_SETTINGS


async def cached_city_settings(session_maker: Any) -> CitySettings:
    """The settings from this worker's reference cache while it listens for changes (cleared at each change's
    commit); otherwise as of at most ``CACHE_SECONDS`` ago in this process."""
    if reference.listening:
        async def load() -> CitySettings:
            async with session_maker() as session:
                return await load_city_settings(session)

        return await reference.get_or_load(("settings", id(session_maker)), load)
    read_at, value = _cache.get(id(session_maker), (0.0, DEFAULT_SETTINGS))
    if time.monotonic() - read_at > CACHE_SECONDS:
        async with session_maker() as session:
            value = await load_city_settings(session)
        _cache[id(session_maker)] = (time.monotonic(), value)
    return value


async def update_city_settings(session: AsyncSession, *, actor: str, actor_id: uuid.UUID | None,
                               changes: dict[str, Any]) -> CitySettings:
    current = await load_city_settings(session)
    new = check_settings({**asdict(current), **changes})
    changed = {key: value for key, value in asdict(new).items() if getattr(current, key) != value}
    for key, value in changed.items():
        row = await session.get(Setting, key)
        if row is None:
            row = Setting(key=key, value=value, updated_by=actor_id)
        else:
            row.value, row.updated_by = value, actor_id
        session.add(row)
    if changed:
        await session.flush()
        await record(session, actor=actor, action="settings.updated", subject="settings", data=changed)
    _cache.clear()  # this process sees the change at once; other workers within CACHE_SECONDS
    return new
