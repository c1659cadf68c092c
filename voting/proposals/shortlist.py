"""Building a draft ballot's shortlist from accepted proposals: by hand, top N by valid supports, or at least K.

Only valid supports count (``support_rules.VALID_SUPPORT_RULE``): the supporter's account is active, its e-mail
confirmed, its residence verified, and it lives in the proposal's neighbourhood. Supporting already refuses anyone
else; counting the same way here also discards supports given before those checks existed, and those of accounts
that were disabled or moved since, so that a place on the ballot cannot be bought with fresh accounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, or_
from sqlalchemy.orm import aliased, defer
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from auth.principal import Principal, can_moderate
from ballots.models import Ballot, BallotProposal
from voting.audit.service import record
from voting.i18n import gettext as _
from voting.proposals.errors import BallotNotFound, ProposalConflict, ProposalForbidden, ProposalInvalid
from voting.proposals.models import Proposal, ProposalPhoto, ProposalSupport
from voting.proposals.queries import ProposalRow, rows_of
from voting.proposals.selection import Candidate, ShortlistRefused, select_shortlist
from voting.proposals.service import actor_of

__all__ = ["valid_supports", "valid_rows_query", "candidate_rows", "shortlist_candidates", "apply_shortlist",
           "shortlist_ballot", "load_ballot_for_shortlist", "current_shortlist"]


def valid_supports() -> Any:
    """Per proposal, how many supports count (see the module's docstring)."""
    supporter, supported = aliased(Account), aliased(Proposal)
    return (select(col(ProposalSupport.proposal_id), func.count().label("n"))
            .join(supporter, col(supporter.id) == col(ProposalSupport.account_id))
            .join(supported, col(supported.id) == col(ProposalSupport.proposal_id))
            .where(col(supporter.is_active), col(supporter.email_confirmed_at).is_not(None),
                   col(supporter.verified_at).is_not(None),
                   or_(col(supported.neighbourhood_id).is_(None),
                       col(supporter.neighbourhood_id) == col(supported.neighbourhood_id)))
            .group_by(col(ProposalSupport.proposal_id)).subquery())


def valid_rows_query() -> Any:
    """Proposals with their valid supports, their photo flag and their proposer's name (``ProposalRow``)."""
    supports = valid_supports()
    return (
        select(Proposal, func.coalesce(supports.c.n, 0), col(ProposalPhoto.proposal_id).is_not(None),
               col(Account.display_name))
        .options(defer(Proposal.search_vector))  # type: ignore[arg-type]
        .join(Account, col(Account.id) == col(Proposal.proposer_id))
        .outerjoin(supports, supports.c.proposal_id == col(Proposal.id))
        .outerjoin(ProposalPhoto, col(ProposalPhoto.proposal_id) == col(Proposal.id))
    )


async def candidate_rows(session: AsyncSession, neighbourhood_id: int | None) -> list[ProposalRow]:
    """Accepted proposals of the neighbourhood (of the whole city when ``None``), with their valid supports."""
    query = valid_rows_query().where(col(Proposal.status) == "accepted")
    if neighbourhood_id is not None:
        query = query.where(col(Proposal.neighbourhood_id) == neighbourhood_id)
    return rows_of(await session.exec(query.order_by(col(Proposal.id))))


async def shortlist_candidates(session: AsyncSession, neighbourhood_id: int | None, mode: str,
                               n_or_k: int | None = None, *, proposal_ids: Sequence[int] = ()) -> list[int]:
    """The proposal ids the rule picks among the neighbourhood's accepted proposals (422 on a bad rule)."""
    pool = [Candidate(row.proposal.id or 0, row.supports) for row in await candidate_rows(session, neighbourhood_id)]
    try:
        return select_shortlist(pool, mode, proposal_ids=proposal_ids, n=n_or_k if mode == "top" else None,
                                k=n_or_k if mode == "min_supports" else None)
    except ShortlistRefused as refused:
        raise ProposalInvalid(refused.reasons) from None


async def load_ballot_for_shortlist(session: AsyncSession, ballot_id: int, principal: Principal, *,
                                    lock: bool = False) -> Ballot:
    """The ballot, when the principal moderates its neighbourhood (404, then 403)."""
    query = select(Ballot).where(Ballot.id == ballot_id)
    ballot = (await session.exec(query.with_for_update() if lock else query)).first()
    if ballot is None:
        raise BallotNotFound(ballot_id)
    if not can_moderate(principal, ballot.neighbourhood_id):
        raise ProposalForbidden(_("Only a moderator of this ballot's neighbourhood can build its shortlist."))
    return ballot


async def apply_shortlist(session: AsyncSession, ballot_id: int, proposal_ids: Sequence[int],
                          principal: Principal) -> list[BallotProposal]:
    """Replace a draft ballot's proposals with these accepted ones, in this order, at their validated cost."""
    ballot = await load_ballot_for_shortlist(session, ballot_id, principal, lock=True)
    if ballot.status != "draft":
        raise ProposalConflict(_("The shortlist of a ballot in state {state} cannot change.").format(
            state=ballot.status))
    rows = {row.proposal.id: row for row in await candidate_rows(session, ballot.neighbourhood_id)}
    unknown = [pid for pid in proposal_ids if pid not in rows]
    if unknown or len(set(proposal_ids)) != len(proposal_ids):
        raise ProposalInvalid([_("Proposal {id} is not an accepted proposal of this neighbourhood.").format(id=pid)
                               for pid in unknown] or [_("A proposal appears twice in the shortlist.")])
    await session.exec(delete(BallotProposal).where(col(BallotProposal.ballot_id) == ballot_id))  # type: ignore[call-overload]
    entries = []
    for position, pid in enumerate(proposal_ids):
        proposal = rows[pid].proposal
        entry = BallotProposal(ballot_id=ballot_id, proposal_id=pid, position=position,
                               cost=proposal.validated_cost or proposal.estimated_cost or 0)  # accepted: set
        session.add(entry)
        entries.append(entry)
    await session.flush()
    await record(session, actor=actor_of(principal), action="ballot.shortlist_set", subject=f"ballot:{ballot_id}",
                 data={"proposal_ids": list(proposal_ids)})
    return entries


async def shortlist_ballot(session: AsyncSession, principal: Principal, ballot_id: int, mode: str, *,
                           proposal_ids: Sequence[int] = (), n: int | None = None,
                           k: int | None = None) -> list[BallotProposal]:
    """Pick by the rule, then apply; scope and state are checked before anything is chosen."""
    ballot = await load_ballot_for_shortlist(session, ballot_id, principal)
    chosen = await shortlist_candidates(session, ballot.neighbourhood_id, mode, n if mode == "top" else k,
                                        proposal_ids=proposal_ids)
    return await apply_shortlist(session, ballot_id, chosen, principal)


async def current_shortlist(session: AsyncSession, ballot_id: int) -> list[tuple[BallotProposal, ProposalRow]]:
    """The ballot's proposals in ballot order, each with its proposal and valid support count."""
    entries = list((await session.exec(select(BallotProposal).where(BallotProposal.ballot_id == ballot_id)
                                       .order_by(col(BallotProposal.position)))).all())
    rows = rows_of(await session.exec(valid_rows_query().where(col(Proposal.id).in_([e.proposal_id for e in entries]))))
    by_id = {row.proposal.id: row for row in rows}
    return [(entry, by_id[entry.proposal_id]) for entry in entries]
