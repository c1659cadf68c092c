"""Request fields the API schemas share: numbers bounded by the PostgreSQL columns that hold them (so that none
overflows a query), and fields of partial updates that may be left out but not sent as ``null``."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeAlias, TypeVar

from litestar.params import PathParameter
from pydantic import AfterValidator, Field, ValidationInfo

from voting.domain import Invalid
from voting.i18n import gettext as _

__all__ = ["INTEGER_MAX", "BIGINT_MAX", "RowId", "Amount", "SmallCount", "PathId", "PatchField", "Line", "Text",
           "TextRefused", "refused_character", "check_text", "GUARDED_TEXT", "install_text_guard"]

T = TypeVar("T")

INTEGER_MAX = 2**31 - 1
"""The largest PostgreSQL ``integer``: every serial id, counts and limits of a ballot."""
BIGINT_MAX = 2**63 - 1
"""The largest PostgreSQL ``bigint``: budgets and costs."""

RowId: TypeAlias = Annotated[int, Field(ge=1, le=INTEGER_MAX)]
"""The id of a row (a ballot, a proposal, a neighbourhood) in a request body."""
Amount: TypeAlias = Annotated[int, Field(le=BIGINT_MAX, ge=-BIGINT_MAX)]
"""A sum of money stored as ``bigint``; the domain says which values make sense."""
SmallCount: TypeAlias = Annotated[int, Field(le=INTEGER_MAX, ge=-INTEGER_MAX)]
"""A count or limit stored as ``integer``; the domain says which values make sense."""
PathId: TypeAlias = Annotated[int, PathParameter(ge=1, le=INTEGER_MAX)]
"""The id of a row in a URL path (``/ballots/{ballot_id}``)."""


def _sent_with_a_value(value: Any) -> Any:
    if value is None:
        raise ValueError("cannot be null: leave the field out to keep its value")
    return value


PatchField: TypeAlias = Annotated[T | None, AfterValidator(_sent_with_a_value)]
"""A field of a partial update (``PatchField[str] = None``): left out, the stored value stays; sent, it must be a
value, since ``null`` would erase something the row must have (a title, a closing time)."""


_DIRECTION = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Bidirectional controls: they reorder what a reader sees (a title can display as something else)."""
_REFUSED_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + _DIRECTION + "]")
_REFUSED_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _DIRECTION + "]")


def refused_character(value: str, *, multiline: bool = False) -> str | None:
    """The first control character (C0, C1, DEL) or bidirectional control in ``value``, or None; a multi-line
    text may hold new lines and tabs."""
    found = (_REFUSED_IN_TEXT if multiline else _REFUSED_IN_LINE).search(value)
    return found.group() if found else None


class TextRefused(Invalid):
    """A name, title or text holding a control or text-direction character: a 422 naming the field."""

    def __init__(self, field: str, character: str) -> None:
        code = f"U+{ord(character):04X}"
        message = _("The field {field} contains a control or text-direction character ({code}), which is not "
                    "allowed.").format(field=field, code=code)
        super().__init__(message, extra=[{"key": field, "message": message}])
        self.field = field


def check_text(field: str, value: Any, *, multiline: bool = False) -> Any:
    """``value`` unchanged, or :class:`TextRefused` naming ``field``."""
    if isinstance(value, str) and (character := refused_character(value, multiline=multiline)) is not None:
        raise TextRefused(field, character)
    return value


def _line(value: Any, info: ValidationInfo) -> Any:
    return check_text(info.field_name or "text", value)


def _text(value: Any, info: ValidationInfo) -> Any:
    return check_text(info.field_name or "text", value, multiline=True)


# The refusal is a DomainError, not a ValueError: pydantic lets it through, so it reaches the app's handler as a
# 422 naming the field, in the caller's language, whether the model is a JSON body or a page's form.
Line: TypeAlias = Annotated[str, AfterValidator(_line)]
"""A one-line name or title: no control or text-direction character."""
Text: TypeAlias = Annotated[str, AfterValidator(_text)]
"""A multi-line text: new lines and tabs allowed, other control and text-direction characters not."""

GUARDED_TEXT: dict[str, dict[str, bool]] = {
    "proposal": {"title": False, "summary": True, "description": True, "address": False, "community": False,
                 "feasibility_note": True, "moderator_message": True},
    "category": {"name_fr": False, "name_en": False},
    "neighbourhood": {"name_fr": False, "name_en": False},
    "ballot": {"title": False, "description": True, "cancel_reason": True},
    "account": {"display_name": False},
    "comment": {"body": True, "moderation_reason": True},
}
"""table -> column -> multi-line: every name and title a person can set, checked whenever it is written."""
_GUARDED_SETTINGS = {"city_name"}
_installed = False


def _check_written(session: Any, flush_context: Any, instances: Any) -> None:
    from sqlalchemy import inspect

    for instance in [*session.new, *session.dirty]:
        table = getattr(instance, "__tablename__", None)
        state = inspect(instance)
        if table == "setting":
            if instance.key in _GUARDED_SETTINGS and state.attrs.value.history.has_changes():
                check_text(instance.key, instance.value)
            continue
        for column, multiline in GUARDED_TEXT.get(table or "", {}).items():
            if state.attrs[column].history.has_changes() or instance in session.new:
                check_text(column, getattr(instance, column), multiline=multiline)


def install_text_guard() -> None:
    """Check :data:`GUARDED_TEXT` before every flush, so that no path (API, page form, CLI, import) stores a
    control or text-direction character in a name or title: the shared rule behind :data:`Line` and :data:`Text`."""
    global _installed
    if _installed:
        return
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    event.listen(Session, "before_flush", _check_written)
    _installed = True
