"""Immutable records without dataclasses: importing `dataclasses` costs more CPU than tallying a small file."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: `greenballot tally` must start fast
if TYPE_CHECKING:
    from typing import Any, Self

__all__ = ["Record"]


class Record:
    """Equality, hash, repr, pickling, ``replace`` and immutability from the class's ``_fields``, as a frozen
    dataclass gives them; ``_compared`` lists the fields equality and hash look at, ``_shown`` those repr shows
    (both default to all)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _compared: tuple[str, ...] = ()
    _shown: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("_compared", "_shown"):
            if name not in cls.__dict__:
                setattr(cls, name, cls._fields)

    def _values(self, names: tuple[str, ...]) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in names])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values(self._compared) == other._values(other._compared)

    def __hash__(self) -> int:
        return hash(self._values(self._compared))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__qualname__}({shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), self._values(self._fields)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (as :func:`dataclasses.replace`)."""
        return type(self)(**{name: getattr(self, name) for name in self._fields} | changes)
