"""Request fields the API schemas share: numbers bounded by the PostgreSQL columns that hold them (so that none
overflows a query), and fields of partial updates that may be left out but not sent as ``null``."""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias, TypeVar

from litestar.params import PathParameter
from pydantic import AfterValidator, Field

__all__ = ["INTEGER_MAX", "BIGINT_MAX", "RowId", "Amount", "SmallCount", "PathId", "PatchField"]

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
