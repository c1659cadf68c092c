"""Page fragments rendered once per key and then served from memory (Jinja costs more than the rest of a page).

A key holds every value the fragment shows, already resolved in the reader's language (names, amounts' currency):
an edited proposal or a renamed neighbourhood simply makes a new key, so nothing ever needs invalidating, and the
least recently used fragments are dropped beyond the cache's size.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from markupsafe import Markup

__all__ = ["FragmentCache"]


class FragmentCache:
    """Rendered HTML by key, at most ``size`` entries (the least recently used go first)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._fragments: OrderedDict[Hashable, Markup] = OrderedDict()
        self.rendered = 0

    def __len__(self) -> int:
        return len(self._fragments)

    def get(self, key: Hashable, render: Callable[[], str]) -> Markup:
        """The fragment of ``key``, rendered by ``render()`` (an autoescaped template's output) the first time."""
        fragment = self._fragments.get(key)
        if fragment is not None:
            self._fragments.move_to_end(key)
            return fragment
        fragment = Markup(render())  # noqa: S704 - the output of an autoescaped template
        self.rendered += 1
        self._fragments[key] = fragment
        if len(self._fragments) > self.size:
            self._fragments.popitem(last=False)
        return fragment

    def clear(self) -> None:
        self._fragments.clear()
