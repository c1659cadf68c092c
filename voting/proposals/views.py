"""What the proposal pages show: a proposal with its history and the viewer's buttons, and the form's choices."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal, can_moderate
from voting.city import current_neighbourhoods, list_neighbourhoods
from voting.models import Neighbourhood
from voting.proposals.models import Category
from voting.proposals.queries import HistoryItem, ProposalRow, proposal_history, proposal_row, supports_of
from voting.proposals.rendering import render_description
from voting.proposals.service import ballot_has_opened, load_visible
from voting.proposals.workflow import EDITABLE_STATES, allowed_actions
from voting.reference import detached, reference

__all__ = ["ProposalDetail", "Choices", "proposal_detail", "form_choices"]


@dataclass(frozen=True)
class Choices:
    neighbourhoods: list[Neighbourhood]
    categories: list[Category]

    def neighbourhood(self, neighbourhood_id: int | None) -> Neighbourhood | None:
        return next((hood for hood in self.neighbourhoods if hood.id == neighbourhood_id), None)

    def category(self, slug: str | None) -> Category | None:
        return next((category for category in self.categories if category.slug == slug), None)


@dataclass(frozen=True)
class ProposalDetail:
    row: ProposalRow
    description_html: str
    history: list[HistoryItem]
    actions: list[str]
    can_edit: bool
    supported: bool
    is_proposer: bool
    can_review: bool


async def form_choices(session: AsyncSession, *, include_retired: bool = False) -> Choices:
    """Neighbourhoods and categories to choose from; the current ones come from the worker's reference cache."""
    query = select(Category).order_by(col(Category.slug) == "other", col(Category.name_en))
    if include_retired:
        return Choices(await list_neighbourhoods(session, True), list((await session.exec(query)).all()))

    async def categories() -> list[Category]:
        return detached(session, list((await session.exec(query.where(col(Category.retired_at).is_(None)))).all()))

    return Choices(await current_neighbourhoods(session), await reference.get_or_load("categories", categories))


async def proposal_detail(session: AsyncSession, proposal_id: int, viewer: Principal | None) -> ProposalDetail:
    proposal = await load_visible(session, proposal_id, viewer)
    is_proposer = viewer is not None and viewer.id == proposal.proposer_id
    can_review = can_moderate(viewer, proposal.neighbourhood_id)
    ballot_open = is_proposer and await ballot_has_opened(session, proposal_id)
    actions = allowed_actions(proposal.status, actor_is_proposer=is_proposer, actor_can_moderate=can_review,
                              ballot_open=ballot_open) if viewer else []
    _, supported = await supports_of(session, proposal_id, viewer)
    return ProposalDetail(
        row=await proposal_row(session, proposal), description_html=render_description(proposal.description),
        history=await proposal_history(session, proposal_id), actions=actions,
        can_edit=is_proposer and proposal.status in EDITABLE_STATES, supported=supported, is_proposer=is_proposer,
        can_review=can_review and not is_proposer,
    )
