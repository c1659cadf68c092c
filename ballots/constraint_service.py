"""A ballot's tally constraints checked against its projects (loaded here) and stored resolved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots.constraints import ProjectFacts, resolve_constraints
from ballots.formats import Reason
from ballots.models import Ballot, BallotProposal
from voting.models import Neighbourhood
from voting.proposals.models import Proposal

__all__ = ["checked_constraints", "refresh_constraints"]


async def checked_constraints(session: AsyncSession, data: Mapping[str, Any] | None, proposal_ids: Iterable[int],
                              budget: int, rule: str | None = None) -> tuple[dict[str, Any] | None, list[Reason]]:
    """``data`` resolved against these proposals (their categories and neighbourhoods), with every refusal."""
    if not data:
        return None, []
    ids = list(proposal_ids)
    rows = (await session.exec(
        select(Proposal.id, Proposal.category, Neighbourhood.slug)
        .outerjoin(Neighbourhood, col(Neighbourhood.id) == col(Proposal.neighbourhood_id))
        .where(col(Proposal.id).in_(ids)))).all()
    facts = {pid: ProjectFacts(category, hood) for pid, category, hood in rows if pid is not None}
    return resolve_constraints(data, facts, budget, rule)


async def refresh_constraints(session: AsyncSession, ballot: Ballot) -> list[Reason]:
    """Resolve a ballot's stored constraints again against its current shortlist (before it opens)."""
    if not ballot.constraints:
        return []
    ids = (await session.exec(select(BallotProposal.proposal_id).where(BallotProposal.ballot_id == ballot.id))).all()
    ballot.constraints, reasons = await checked_constraints(session, ballot.constraints, ids, ballot.budget,
                                                            ballot.rule)
    return reasons
