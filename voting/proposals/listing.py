"""The public proposals list of the pages, read straight from asyncpg: what the cards show, no ORM rows.

Its statements are the API list's (``list_filters``) with bound parameters, compiled once per filter shape; loading
twenty ORM objects and building and compiling the statement cost more than the rest of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import String, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from voting.proposals.models import Proposal, ProposalSupport
from voting.proposals.queries import PUBLIC_STATES, check_list_arguments, list_filters

__all__ = ["ProposalCard", "CardListing", "list_cards"]


@dataclass(frozen=True, slots=True)
class ProposalCard:
    """What a card of the list shows (``cost``: the validated cost, else the estimate)."""

    id: int
    title: str
    summary: str
    status: str
    neighbourhood_id: int | None  # None, category and cost too: a draft withdrawn before it was complete
    category: str | None
    cost: int | None
    supports: int


@dataclass(frozen=True)
class CardListing:
    rows: list[ProposalCard]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    constants: dict[str, Any]

    def arguments(self, values: dict[str, Any]) -> list[Any]:
        return [values[name] if name in values else self.constants[name] for name in self.names]


def _compile(statement: Any) -> _Compiled:
    from sqlalchemy.dialects.postgresql.asyncpg import dialect

    compiled = statement.compile(dialect=dialect())
    return _Compiled(compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params))


@cache
def _statements(hood: bool, category: bool, search: bool) -> tuple[_Compiled, _Compiled]:
    """The page's select and its count for one filter shape (which filters are set), compiled once."""
    conditions, order = list_filters(
        states=col(Proposal.status) == any_(bindparam("states", type_=ARRAY(String))),
        neighbourhood_id=bindparam("hood") if hood else None, category=bindparam("category") if category else None,
        q=bindparam("q", type_=String) if search else None)
    supports = (select(col(ProposalSupport.proposal_id), func.count().label("n"))
                .group_by(col(ProposalSupport.proposal_id)).subquery())
    rows = (select(col(Proposal.id), col(Proposal.title), col(Proposal.summary), col(Proposal.status),
                   col(Proposal.neighbourhood_id), col(Proposal.category),
                   func.coalesce(col(Proposal.validated_cost), col(Proposal.estimated_cost)),
                   func.coalesce(supports.c.n, 0))
            .outerjoin(supports, supports.c.proposal_id == col(Proposal.id))
            .where(*conditions).order_by(*order).offset(bindparam("offset")).limit(bindparam("limit")))
    count = select(func.count()).select_from(Proposal).where(*conditions)
    return _compile(rows), _compile(count)


async def list_cards(session: AsyncSession, *, neighbourhood_id: int | None = None, category: str | None = None,
                     status: str | None = None, q: str | None = None, page: int = 1,
                     per_page: int = 20) -> CardListing:
    """The same proposals as ``list_proposals`` (never drafts; newest or best match first), as cards."""
    check_list_arguments(status, page, per_page)
    search = q.strip()[:200] if q and q.strip() else None
    values = {"states": [status] if status else list(PUBLIC_STATES), "hood": neighbourhood_id,
              "category": category or None, "q": search, "offset": (page - 1) * per_page, "limit": per_page}
    rows_statement, count_statement = _statements(neighbourhood_id is not None, bool(category), search is not None)
    raw = await (await session.connection()).get_raw_connection()
    driver: Any = raw.driver_connection
    rows = [ProposalCard(*row) for row in await driver.fetch(rows_statement.sql, *rows_statement.arguments(values))]
    if 0 < len(rows) < per_page or (page == 1 and not rows):  # the last page: the total is known without a count
        total = (page - 1) * per_page + len(rows)
    else:
        total = await driver.fetchval(count_statement.sql, *count_statement.arguments(values))
    return CardListing(rows, int(total), page, per_page)
