"""Numbers in requests bounded by the PostgreSQL columns that hold them, so that none overflows a query."""

from __future__ import annotations

from typing import Annotated, TypeAlias

from litestar.params import PathParameter
from pydantic import Field

__all__ = ["INTEGER_MAX", "BIGINT_MAX", "RowId", "Amount", "SmallCount", "PathId"]

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

