"""Per-process caches of what a published result never changes: export bytes and rendered views, keyed by digest."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from threading import Lock
from typing import Any

__all__ = ["DigestCache", "export_bytes", "result_views"]


class DigestCache:
    """A least-recently-used map bounded by the summed size of its values (``len`` of bytes, or 1 each).

    Keys must name immutable content (a result's SHA-256, a file's SHA-256): an entry is never stale, only evicted.
    """

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._lock = Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: Any) -> Any:
        size = len(value) if isinstance(value, bytes) else 1
        if size > self.max_size:
            return value
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._items[key] = (value, size)
            self._size += size
            while self._size > self.max_size:
                _, (_, dropped) = self._items.popitem(last=False)
                self._size -= dropped
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._items)


export_bytes = DigestCache(max_size=256 * 1024 * 1024)
"""Signed export files by (ballot, result SHA-256, key id, name): at most 256 MiB per worker."""

result_views = DigestCache(max_size=256)
"""Rendered result pages' view models by (ballot, result SHA-256, locale): at most 256 entries per worker."""
