"""Request dependencies of the auth area: the current token key ring, refreshed when a key was rotated."""

from __future__ import annotations

from typing import TypeAlias

from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.keys import current_key
from auth.tokens import KeyRing

__all__ = ["provide_key_ring", "CurrentKeyRing"]

CurrentKeyRing: TypeAlias = NamedDependency[KeyRing]


async def provide_key_ring(state: State, db_session: NamedDependency[AsyncSession]) -> KeyRing:
    """The ring that signs new tokens; reloaded when another process (``keys rotate``) made a new current key."""
    row = await current_key(db_session, "tokens")
    if row is None or row.kid != state.key_ring.current_kid:
        await state.reload_keys()
    ring: KeyRing = state.key_ring
    return ring
