"""Numbers in Pabulib text, read exactly and within bounds before any conversion, and the reader's error."""

from __future__ import annotations

import re
from fractions import Fraction

__all__ = ["MAX_AMOUNT", "MAX_COUNT", "PabulibError", "parse_number", "parse_amount", "parse_count", "shown"]

MAX_AMOUNT = 2**53 - 1
"""The largest cost or budget: it fits the database's BIGINT columns and stays an exact integer in the canonical
JSON (RFC 8785) that results and the audit log are signed in, which holds integers up to 2^53 - 1 only."""
MAX_COUNT = 10**9
"""The largest count, length or number of points (the database's INTEGER columns hold it)."""

_DECIMAL = re.compile(r"([0-9]{1,19})(?:[.,]([0-9]{1,9}))?")
_WHOLE = re.compile(r"[0-9]{1,10}")


class PabulibError(ValueError):
    """A malformed `.pb` file: the message names the line and the field."""

    def __init__(self, message: str, line: int | None = None, field: str | None = None) -> None:
        self.reason = message
        self.line = line
        self.field = field
        where = []
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {shown(field, 40)}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


def shown(text: str, limit: int = 40) -> str:
    """A value quoted for a one-line message: escaped, and cut when long."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"


def parse_number(text: str, line: int | None = None, name: str | None = None) -> Fraction:
    """An exact non-negative decimal (a dot or a comma), at most 19 digits before the point and 9 after.

    The text is checked against that shape before it is converted: ``1e999999999`` or a thousand digits are
    refused at once instead of making an enormous integer.
    """
    match = _DECIMAL.fullmatch(text.strip())
    if match is None and _DECIMAL.fullmatch(text.strip().removeprefix("-")):
        raise PabulibError(f"negative number: {shown(text)}", line, name)
    if match is None:
        raise PabulibError(f"not a plain decimal number: {shown(text)}", line, name)
    whole, decimals = match.groups()
    if not decimals:
        return Fraction(int(whole))
    return Fraction(int(whole + decimals), 10 ** len(decimals))


def parse_amount(text: str, line: int | None = None, name: str | None = None) -> Fraction:
    """A cost or a budget: a number above zero and at most :data:`MAX_AMOUNT`."""
    value = parse_number(text, line, name)
    if value <= 0:
        raise PabulibError(f"must be more than zero: {shown(text)}", line, name)
    if value > MAX_AMOUNT:
        raise PabulibError(f"too large (at most {MAX_AMOUNT}): {shown(text)}", line, name)
    return value


def parse_count(text: str, line: int | None = None, name: str | None = None) -> int:
    """A whole number from 0 to :data:`MAX_COUNT` written with ASCII digits only."""
    stripped = text.strip()
    if _WHOLE.fullmatch(stripped.removeprefix("-")) and stripped.startswith("-"):
        raise PabulibError(f"negative number: {shown(text)}", line, name)
    if _WHOLE.fullmatch(stripped) is None:
        raise PabulibError(f"not a whole number: {shown(text)}", line, name)
    value = int(stripped)
    if value > MAX_COUNT:
        raise PabulibError(f"too large (at most {MAX_COUNT}): {shown(text)}", line, name)
    return value
