"""Principals cached per process while it listens for changes: a request's identity without a database trip.

A principal is what ``load_principal_until`` reads for a token: the active account, its roles and scopes, the token not
revoked, its key still valid. Each of those tables notifies ``greenballot_principal`` at commit (migration 0022)
naming the accounts or tokens that changed; the listener (``voting.reference``) forgets their principals. A key
retired with a grace period stops verifying at a time, not at a change: a principal is kept no longer than its
key verifies (nor its token lives, nor ``MAX_AGE``). A process that does not listen reads the database each time.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from auth.principal import Principal
from voting.reference import listened

__all__ = ["CHANNEL", "MAX_AGE", "PrincipalCache", "principals"]

CHANNEL = "greenballot_principal"
MAX_AGE = 300.0
"""Seconds a principal is kept at most, should a notification ever be lost without the connection failing."""
MAX_ENTRIES = 50_000

Key = tuple[uuid.UUID, str, str, float]  # account, token id, key id, issued at


class PrincipalCache:
    def __init__(self) -> None:
        self._entries: dict[Key, tuple[Principal | None, float]] = {}
        self.listening = False
        self.cleared = 0

    async def get_or_load(self, key: Key, load: Callable[[], Awaitable[tuple[Principal | None, float | None]]],
                          ) -> Principal | None:
        """The principal for ``key``; ``load`` returns it with the epoch second its key stops verifying (or None)."""
        now = time.time()
        if self.listening:
            cached = self._entries.get(key)
            if cached is not None and now < cached[1]:
                return cached[0]
        generation = self.cleared
        principal, key_until = await load()
        if self.listening and generation == self.cleared and principal is not None:  # nothing announced meanwhile
            expires = now + MAX_AGE
            if key_until is not None:
                expires = min(expires, key_until)
            if principal.token_expires_at is not None:
                expires = min(expires, principal.token_expires_at.timestamp())
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (principal, expires)
        return principal

    def clear(self, *notification: Any) -> None:
        """Forget what a notification names (``a:<ids>``, ``t:<ids>``), or everything (``*``, or no argument)."""
        self.cleared += 1
        payload = str(notification[3]) if len(notification) >= 4 else "*"
        kind, _sep, names = payload.partition(":")
        if kind == "a":
            accounts = set(names.split(","))
            self._drop(lambda key: str(key[0]) in accounts)
        elif kind == "t":
            tokens = set(names.split(","))
            self._drop(lambda key: key[1] in tokens)
        else:
            self._entries.clear()

    def _drop(self, named: Callable[[Key], bool]) -> None:
        for key in [key for key in self._entries if named(key)]:
            del self._entries[key]


principals = PrincipalCache()
listened[CHANNEL] = principals
