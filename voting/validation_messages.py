"""The framework's validation messages (pydantic's and msgspec's English) in the caller's language.

A refused request body or query gets a 400 whose ``extra`` lists each refused field with the validator's message.
Those messages are English templates; the frequent ones are put in the reader's language here, with their numbers
and names kept. A message no pattern knows is kept as the validator wrote it (its field key still says where).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from voting.i18n import gettext as _
from voting.i18n import ngettext

__all__ = ["headline", "translated", "translated_extra"]


def _kinds() -> dict[str, str]:
    return {"integer": _("a whole number"), "number": _("a number"), "string": _("a text"),
            "boolean": _("true or false"), "list": _("a list"), "array": _("a list"), "dictionary": _("an object"),
            "object": _("an object"), "datetime": _("a date and time"), "date": _("a date"), "UUID": _("a UUID"),
            "int": _("a whole number"), "str": _("a text"), "float": _("a number"), "bool": _("true or false"),
            "dict": _("an object")}


def _kind(name: str) -> str:
    return _kinds().get(name, name)


_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Field required|Object missing required field `\w+`"), lambda m: _("This field is required.")),
    (re.compile(r"Input should be a valid (\w+)"), lambda m: _("This should be {kind}.").format(kind=_kind(m[1]))),
    (re.compile(r"Expected `(\w+)`(?: of length [<>=]+ \d+)?, got `\w+`"),
     lambda m: _("This should be {kind}.").format(kind=_kind(m[1]))),
    (re.compile(r"(?:String|Value) should have at most (\d+) characters?"),
     lambda m: ngettext("At most {n} character.", "At most {n} characters.", int(m[1])).format(n=m[1])),
    (re.compile(r"(?:String|Value) should have at least (\d+) characters?"),
     lambda m: ngettext("At least {n} character.", "At least {n} characters.", int(m[1])).format(n=m[1])),
    (re.compile(r"(?:List|Value) should have at most (\d+) items?"),
     lambda m: ngettext("At most {n} item.", "At most {n} items.", int(m[1])).format(n=m[1])),
    (re.compile(r"(?:List|Value) should have at least (\d+) items?"),
     lambda m: ngettext("At least {n} item.", "At least {n} items.", int(m[1])).format(n=m[1])),
    (re.compile(r"Input should be greater than or equal to (\S+)|Expected `\w+` >= (\S+)"),
     lambda m: _("At least {n}.").format(n=m[1] or m[2])),
    (re.compile(r"Input should be less than or equal to (\S+)|Expected `\w+` <= (\S+)"),
     lambda m: _("At most {n}.").format(n=m[1] or m[2])),
    (re.compile(r"Input should be greater than (\S+)|Expected `\w+` > (\S+)"),
     lambda m: _("More than {n}.").format(n=m[1] or m[2])),
    (re.compile(r"Input should be less than (\S+)|Expected `\w+` < (\S+)"),
     lambda m: _("Less than {n}.").format(n=m[1] or m[2])),
    (re.compile(r"Extra inputs are not permitted|Object contains unknown field"),
     lambda m: _("This field is not expected here.")),
    (re.compile(r"value is not a valid email address"), lambda m: _("This is not a valid e-mail address.")),
]


def translated(message: str) -> str:
    """``message`` in the current language when it is one of the validators' frequent templates, else as it is."""
    for pattern, words in _PATTERNS:
        found = pattern.match(message)
        if found:
            return words(found)
    return message


def headline(method: str, path: str) -> str:
    """What replaces the framework's "Validation failed for POST /path"."""
    return _("The request was refused: some of its data is not valid ({method} {path}).").format(
        method=method, path=path)


def translated_extra(extra: Any) -> Any:
    """The ``extra`` of a validation error with each item's ``message`` translated (keys and sources kept)."""
    if not isinstance(extra, list):
        return extra
    return [{**item, "message": translated(str(item["message"]))} if isinstance(item, dict) and "message" in item
            else item for item in extra]
