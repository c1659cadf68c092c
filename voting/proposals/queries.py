"""Reading proposals: the public list with filters and full-text search, a moderator's queue, a proposer's own."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column
from sqlalchemy.orm import defer
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from auth.principal import Principal
from voting.i18n import gettext as _
from voting.models import AuditEntry
from voting.proposals.errors import ProposalForbidden, ProposalInvalid
from voting.proposals.models import PROPOSAL_STATES, Proposal, ProposalPhoto, ProposalSupport

__all__ = ["PUBLIC_STATES", "MAX_PAGE", "MAX_PER_PAGE", "ProposalRow", "ProposalListing", "HistoryItem",
           "list_proposals", "review_queue", "my_proposals", "proposal_row", "proposal_history", "supports_of",
           "rows_query", "rows_of", "check_list_arguments", "list_filters"]

PUBLIC_STATES = tuple(state for state in PROPOSAL_STATES if state != "draft")
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
HISTORY_ACTIONS = tuple(f"proposal.{step}" for step in ("created", "edited", "photo_set", *PROPOSAL_STATES[1:]))
"""Audit actions shown as a proposal's history (supports are not); the action index narrows the audit log."""


@dataclass(frozen=True)
class ProposalRow:
    proposal: Proposal
    supports: int
    has_photo: bool
    proposer_name: str


@dataclass(frozen=True)
class ProposalListing:
    rows: list[ProposalRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class HistoryItem:
    at: Any
    action: str
    message: str | None


@cache
def rows_query() -> Any:
    """Proposals with their support count, photo flag and proposer's name. Built once: a select is immutable, and
    each caller's ``where``/``order_by`` makes a new one (SQLAlchemy then reuses its compiled form)."""
    supports = (select(col(ProposalSupport.proposal_id), func.count().label("n"))
                .group_by(col(ProposalSupport.proposal_id)).subquery())
    return (
        select(Proposal, func.coalesce(supports.c.n, 0), col(ProposalPhoto.proposal_id).is_not(None),
               col(Account.display_name))
        .options(defer(Proposal.search_vector))  # type: ignore[arg-type]
        .join(Account, col(Account.id) == col(Proposal.proposer_id))
        .outerjoin(supports, supports.c.proposal_id == col(Proposal.id))
        .outerjoin(ProposalPhoto, col(ProposalPhoto.proposal_id) == col(Proposal.id))
    )


def rows_of(result: Any) -> list[ProposalRow]:
    return [ProposalRow(proposal, int(count), bool(photo), name) for proposal, count, photo, name in result]


def _search(q: Any) -> ColumnElement[Any]:
    french = func.websearch_to_tsquery(literal_column("'french'::regconfig"), q)
    english = func.websearch_to_tsquery(literal_column("'english'::regconfig"), q)
    return french.op("||")(english)


def check_list_arguments(status: str | None, page: int, per_page: int) -> None:
    """Refuse an unknown status or a page out of range (``ProposalInvalid``, worded for the reader)."""
    if status and status not in PUBLIC_STATES:
        raise ProposalInvalid([_("Unknown status {value}.").format(value=status)])
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= MAX_PER_PAGE:
        raise ProposalInvalid([_("Pages go from 1 to {pages} and hold 1 to {limit} proposals.").format(
            pages=MAX_PAGE, limit=MAX_PER_PAGE)])


def list_filters(*, states: Any, neighbourhood_id: Any = None, category: Any = None,
                 q: Any = None) -> tuple[list[Any], list[Any]]:
    """The public list's conditions and order (newest first, best match first when searching): values, or bound
    parameters for a statement compiled once (``voting/proposals/listing.py``)."""
    conditions: list[Any] = [states]
    if neighbourhood_id is not None:
        conditions.append(col(Proposal.neighbourhood_id) == neighbourhood_id)
    if category is not None:
        conditions.append(col(Proposal.category) == category)
    order: list[Any] = [col(Proposal.created_at).desc(), col(Proposal.id).desc()]
    if q is not None:
        query = _search(q)
        conditions.append(col(Proposal.search_vector).op("@@")(query))
        order.insert(0, func.ts_rank(col(Proposal.search_vector), query).desc())
    return conditions, order


async def list_proposals(session: AsyncSession, *, neighbourhood_id: int | None = None, category: str | None = None,
                         status: str | None = None, q: str | None = None, page: int = 1,
                         per_page: int = 20) -> ProposalListing:
    """Public proposals (never drafts), newest first, or best match first when searching in French or English."""
    check_list_arguments(status, page, per_page)
    conditions, order = list_filters(
        states=col(Proposal.status).in_((status,) if status else PUBLIC_STATES), neighbourhood_id=neighbourhood_id,
        category=category or None, q=q.strip()[:200] if q and q.strip() else None)
    rows = rows_of(await session.exec(rows_query().where(*conditions).order_by(*order)
                                      .offset((page - 1) * per_page).limit(per_page)))
    if 0 < len(rows) < per_page or (page == 1 and not rows):  # the last page: the total is known without a count
        total = (page - 1) * per_page + len(rows)
    else:
        total = (await session.exec(select(func.count()).select_from(Proposal).where(*conditions))).one()
    return ProposalListing(rows, int(total), page, per_page)


async def proposal_row(session: AsyncSession, proposal: Proposal) -> ProposalRow:
    result = await session.exec(rows_query().where(col(Proposal.id) == proposal.id))
    return rows_of(result)[0]


async def review_queue(session: AsyncSession, principal: Principal) -> list[ProposalRow]:
    """Proposals waiting for review in the moderator's neighbourhoods (all, for admins), oldest first."""
    if not (principal.is_admin or "moderator" in principal.roles):
        raise ProposalForbidden(_("Only moderators review proposals."))
    query = rows_query().where(col(Proposal.status) == "submitted")
    if not principal.is_admin:
        query = query.where(col(Proposal.neighbourhood_id).in_(sorted(principal.neighbourhoods)))
    return rows_of(await session.exec(query.order_by(col(Proposal.submitted_at), col(Proposal.id))))


async def my_proposals(session: AsyncSession, principal: Principal) -> list[ProposalRow]:
    query = rows_query().where(col(Proposal.proposer_id) == principal.id)
    return rows_of(await session.exec(query.order_by(col(Proposal.created_at).desc(), col(Proposal.id).desc())))


async def proposal_history(session: AsyncSession, proposal_id: int) -> list[HistoryItem]:
    """The proposal's audit entries, oldest first, with the moderator's words where there are some."""
    entries = await session.exec(select(AuditEntry).where(col(AuditEntry.action).in_(HISTORY_ACTIONS),
                                                          AuditEntry.subject == f"proposal:{proposal_id}")
                                 .order_by(col(AuditEntry.seq)))
    return [HistoryItem(entry.at, entry.action, entry.data.get("message")) for entry in entries]


async def supports_of(session: AsyncSession, proposal_id: int, viewer: Principal | None) -> tuple[int, bool]:
    """How many supports a proposal has, and whether the viewer is one of them."""
    count = (await session.exec(select(func.count()).select_from(ProposalSupport)
                                .where(ProposalSupport.proposal_id == proposal_id))).one()
    mine = False
    if viewer is not None:
        mine = (await session.get(ProposalSupport, (proposal_id, viewer.id))) is not None
    return int(count), mine
