"""Ballot use cases: create a ballot from accepted proposals, read it, and move it through its lifecycle."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal, can_moderate
from ballots.box import open_ballot_box
from ballots.checkpoints import make_checkpoint
from ballots.constraint_service import checked_constraints, refresh_constraints
from ballots.eligibility import Rules
from ballots.errors import BallotNotFound, ForbiddenTransition, InvalidBallot, NotAllowed
from ballots.formats import FormatConfig, Project, Reason, validate_config
from ballots.lifecycle import Window, accepts_votes, config_frozen, effective_status, transition_refusal
from ballots.models import Ballot, BallotProposal
from ballots.schemas import BallotCreate, BallotUpdate
from ballots.tally_rules import validate_rule
from ballots.vote_models import BallotSecret
from voting.audit.service import record
from voting.i18n import gettext as _
from voting.mail.notifications import notify_ballot_status
from voting.proposals.models import Proposal

__all__ = ["BallotView", "create_ballot", "load_ballot", "view_ballot", "list_ballots", "change_status",
           "format_of", "rules_of", "window_of", "view_visible_ballot", "projects_of", "ensure_manager", "actor_of",
           "accepted_proposals",
           "update_ballot", "close_if_due", "database_now", "DEADLINE_ACTOR", "BALLOT_BARRIER"]


@dataclass(frozen=True)
class BallotProjectView:
    proposal_id: int
    title: str
    summary: str
    cost: int
    position: int


@dataclass(frozen=True)
class BallotView:
    ballot: Ballot
    status: str
    accepts_votes: bool
    projects: list[BallotProjectView]


BALLOT_BARRIER = 0x67620C
"""With the ballot id, the advisory lock between votes (shared) and what ends voting (exclusive)."""

DEADLINE_ACTOR = "system:deadline"
"""Who closes a ballot when its closing time passes (in the audit log)."""


def actor_of(principal: Principal) -> str:
    return f"account:{principal.id}"


def format_of(ballot: Ballot) -> FormatConfig:
    return FormatConfig(vote_format=ballot.vote_format, budget=ballot.budget, min_projects=ballot.min_projects,
                        max_projects=ballot.max_projects, min_spend_percent=ballot.min_spend_percent,
                        total_points=ballot.total_points, max_points_per_project=ballot.max_points_per_project,
                        max_ranks=ballot.max_ranks, allow_blank=bool(ballot.allow_blank))


def rules_of(ballot: Ballot) -> Rules:
    return Rules(neighbourhood_id=ballot.neighbourhood_id, requires_roll=ballot.requires_roll,
                 requires_residence=ballot.requires_residence, min_age=ballot.min_age,
                 requires_verified=ballot.requires_verified)


def window_of(ballot: Ballot) -> Window:
    return Window(status=ballot.status, opens_at=ballot.opens_at, closes_at=ballot.closes_at)


def ensure_manager(principal: Principal, ballot: Ballot | None = None, neighbourhood_id: int | None = None) -> None:
    hood = ballot.neighbourhood_id if ballot is not None else neighbourhood_id
    if not can_moderate(principal, hood):
        raise NotAllowed(_("Only moderators of this neighbourhood and admins manage this ballot."))


async def load_ballot(session: AsyncSession, ballot_id: int, *, lock: bool = False) -> Ballot:
    """The ballot; with ``lock``, the ballot's barrier taken exclusively, then the row ``FOR UPDATE``: this waits
    for every vote in flight (each holds the barrier shared until it ends), holds back the votes that come after
    until this transaction ends, and reads the ballot as committed then, never stale from the session."""
    query = select(Ballot).where(Ballot.id == ballot_id)
    if lock:
        await session.exec(text(f"SELECT pg_advisory_xact_lock({BALLOT_BARRIER}, :b)")  # type: ignore[call-overload]
                           .bindparams(b=ballot_id))
        query = query.with_for_update().execution_options(populate_existing=True)
    ballot = (await session.exec(query)).first()
    if ballot is None:
        raise BallotNotFound(_("No ballot number {id}.").format(id=ballot_id))
    return ballot


async def projects_of(session: AsyncSession, ballot_id: int) -> dict[int, Project]:
    rows = (await session.exec(select(BallotProposal.proposal_id, BallotProposal.cost)
                               .where(BallotProposal.ballot_id == ballot_id))).all()
    return {pid: Project(pid, cost) for pid, cost in rows}


async def view_ballot(session: AsyncSession, ballot_id: int, now: datetime | None = None) -> BallotView:
    now = now or datetime.now(UTC)
    ballot = await load_ballot(session, ballot_id)
    rows = (await session.exec(
        select(BallotProposal, Proposal).join(Proposal, col(Proposal.id) == col(BallotProposal.proposal_id))
        .where(BallotProposal.ballot_id == ballot_id).order_by(col(BallotProposal.position), col(Proposal.id))
    )).all()
    projects = [BallotProjectView(link.proposal_id, proposal.title, proposal.summary, link.cost, link.position)
                for link, proposal in rows]
    window = window_of(ballot)
    return BallotView(ballot, effective_status(window, now), accepts_votes(window, now), projects)


async def view_visible_ballot(session: AsyncSession, ballot_id: int, viewer: Principal | None) -> BallotView:
    """The ballot as ``viewer`` may see it: a draft exists only for its managers (404 for anyone else)."""
    view = await view_ballot(session, ballot_id)
    if view.ballot.status == "draft" and not can_moderate(viewer, view.ballot.neighbourhood_id):
        raise BallotNotFound(_("No ballot number {id}.").format(id=ballot_id))
    return view


async def list_ballots(session: AsyncSession, viewer: Principal | None = None) -> list[Ballot]:
    """Every ballot but drafts, which only their managers see; the latest closing first."""
    ballots = (await session.exec(select(Ballot).order_by(col(Ballot.closes_at).desc()))).all()
    return [b for b in ballots if b.status != "draft" or can_moderate(viewer, b.neighbourhood_id)]


async def _shortlist(session: AsyncSession, data: BallotCreate) -> tuple[list[Proposal], list[Reason]]:
    wanted = list(dict.fromkeys(data.proposal_ids))
    found = {p.id: p for p in (await session.exec(select(Proposal).where(col(Proposal.id).in_(wanted)))).all()}
    reasons: list[Reason] = []
    for pid in wanted:
        proposal = found.get(pid)
        if proposal is None or proposal.status != "accepted" or not proposal.validated_cost:
            reasons.append(Reason("proposal.not_accepted", _("Proposal {id} is not an accepted proposal with a "
                                                             "validated cost.").format(id=pid)))
        elif data.neighbourhood_id is not None and proposal.neighbourhood_id != data.neighbourhood_id:
            reasons.append(Reason("proposal.neighbourhood",
                                  _("Proposal {id} belongs to another neighbourhood.").format(id=pid)))
    return [found[pid] for pid in wanted if pid in found], reasons


async def create_ballot(session: AsyncSession, principal: Principal, data: BallotCreate) -> Ballot:
    """A draft ballot with the given accepted proposals at their validated costs."""
    ensure_manager(principal, neighbourhood_id=data.neighbourhood_id)
    proposals, reasons = await _shortlist(session, data)
    fields = data.model_dump(exclude={"proposal_ids"})
    if "min_age" not in data.model_fields_set:  # the city's default minimum voting age (admin settings)
        from voting.admin.settings import load_city_settings

        fields["min_age"] = (await load_city_settings(session)).min_voting_age
    ballot = Ballot(**fields, status="draft", created_by=principal.id)
    reasons += validate_config(format_of(ballot), len(data.proposal_ids) or 1)
    reasons += validate_rule(data.rule, data.tie_break, data.vote_format, data.min_project_score, data.min_voter_share)
    ballot.constraints, refused = await checked_constraints(session, fields.get("constraints"),
                                                            [p.id or 0 for p in proposals], data.budget, data.rule)
    reasons += refused
    if data.closes_at <= data.opens_at:
        reasons.append(Reason("ballot.window", _("The ballot must close after it opens.")))
    if reasons:
        raise InvalidBallot(_("This ballot cannot be created."), reasons)
    session.add(ballot)
    await session.flush()
    assert ballot.id is not None
    for position, proposal in enumerate(proposals):
        session.add(BallotProposal(ballot_id=ballot.id, proposal_id=proposal.id or 0,
                                   cost=proposal.validated_cost or 0, position=position))
    session.add(BallotSecret(ballot_id=ballot.id, slot_key=secrets.token_bytes(32)))
    await session.flush()
    await record(session, actor=actor_of(principal), action="ballot.created", subject=f"ballot:{ballot.id}",
                 data={"title": ballot.title, "budget": ballot.budget, "neighbourhood_id": ballot.neighbourhood_id,
                       "proposals": [p.id for p in proposals], "vote_format": ballot.vote_format,
                       "rule": ballot.rule, "tie_break": ballot.tie_break,
                       **({"constraints": ballot.constraints} if ballot.constraints else {})})
    return ballot


async def database_now(session: AsyncSession) -> datetime:
    """The database's clock: the one a vote's write is checked against."""
    return (await session.exec(text("SELECT clock_timestamp()"))).one()[0]  # type: ignore[call-overload,no-any-return]


async def change_status(session: AsyncSession, principal: Principal, ballot_id: int, target: str,
                        reason: str = "", now: datetime | None = None, key_secret: str | None = None, *,
                        result_sha256: str | None = None) -> Ballot:
    """Open, close, mark tallied, publish or cancel; a forbidden move is a 409 with the reason.

    The ballot is locked ``FOR UPDATE`` first, so a close waits for the votes in flight, opens exactly the
    envelopes that committed before it (writing the votes in a random order) and signs a checkpoint over their
    log. "tallied" and "published" need the stored result's digest: the results service moves a ballot there,
    after storing the result.
    """
    ballot = await load_ballot(session, ballot_id, lock=True)
    ensure_manager(principal, ballot)
    now = now or await database_now(session)
    if await close_if_due(session, ballot, now, key_secret=key_secret):
        if target == "closed":
            return ballot
    window = window_of(ballot)
    refusal = transition_refusal(window, target, now, reason)
    if refusal:
        raise ForbiddenTransition(refusal)
    if target in ("tallied", "published") and result_sha256 is None:
        raise ForbiddenTransition(_("Tally the ballot before publishing it."))
    if target == "open":
        problems = validate_config(format_of(ballot), len(await projects_of(session, ballot_id)))
        problems += validate_rule(ballot.rule, ballot.tie_break, ballot.vote_format, ballot.min_project_score,
                                  ballot.min_voter_share)
        problems += await refresh_constraints(session, ballot)  # the shortlist may have changed since
        if problems:
            raise ForbiddenTransition("; ".join(problem.message for problem in problems))
    previous = effective_status(window, now)
    ballot.status = target
    if target == "closed" and ballot.opens_at < now < ballot.closes_at:
        ballot.closes_at = now
    if target == "cancelled":
        ballot.cancel_reason = reason.strip()
    session.add(ballot)
    await session.flush()
    data: dict[str, object] = {"from": previous, "to": target}
    if target == "cancelled":
        data["reason"] = reason.strip()
    if result_sha256 is not None:
        data["result_sha256"] = result_sha256
    await record(session, actor=actor_of(principal), action=f"ballot.{target}", subject=f"ballot:{ballot.id}",
                 data=data)
    if target == "closed":
        await open_ballot_box(session, ballot_id)
        await make_checkpoint(session, ballot_id, actor=actor_of(principal), key_secret=key_secret)
    await notify_ballot_status(session, ballot, target)  # "open" and "published" tell opted-in residents
    return ballot


async def close_if_due(session: AsyncSession, ballot: Ballot, now: datetime, *, key_secret: str | None = None) -> bool:
    """Store the close of an open ballot whose closing time has passed, with its signed vote-log checkpoint.

    Called with the ballot locked ``FOR UPDATE`` (every vote in flight has committed or failed by then) by the first
    action after the deadline: the deadline sweeper of ``serve``, a transition, or a tally at the latest.
    """
    if ballot.status != "open" or now < ballot.closes_at:
        return False
    ballot.status = "closed"
    session.add(ballot)
    await session.flush()
    await record(session, actor=DEADLINE_ACTOR, action="ballot.closed", subject=f"ballot:{ballot.id}",
                 data={"from": "open", "to": "closed", "by": "deadline"})
    assert ballot.id is not None
    await open_ballot_box(session, ballot.id)
    await make_checkpoint(session, ballot.id, actor=DEADLINE_ACTOR, key_secret=key_secret)
    return True


async def accepted_proposals(session: AsyncSession) -> list[Proposal]:
    """Proposals that may go on a ballot: accepted, with a validated cost."""
    return list((await session.exec(select(Proposal).where(Proposal.status == "accepted",
                                                           col(Proposal.validated_cost).is_not(None))
                                    .order_by(col(Proposal.neighbourhood_id), col(Proposal.id)))).all())


async def update_ballot(session: AsyncSession, principal: Principal, ballot_id: int, data: BallotUpdate) -> Ballot:
    """Change a draft's settings; a 409 once the ballot has opened (its configuration is frozen)."""
    ballot = await load_ballot(session, ballot_id, lock=True)
    ensure_manager(principal, ballot)
    if config_frozen(window_of(ballot)):
        raise ForbiddenTransition(_("The settings of a ballot are frozen once it opens."))
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(ballot, name, value)
    reasons = validate_config(format_of(ballot), len(await projects_of(session, ballot_id)) or 1)
    reasons += validate_rule(ballot.rule, ballot.tie_break, ballot.vote_format, ballot.min_project_score,
                             ballot.min_voter_share)
    if {"constraints", "budget", "rule"} & set(changes):
        reasons += await refresh_constraints(session, ballot)
    if ballot.closes_at <= ballot.opens_at:
        reasons.append(Reason("ballot.window", _("The ballot must close after it opens.")))
    if reasons:
        raise InvalidBallot(_("This ballot cannot be changed so."), reasons)
    session.add(ballot)
    await session.flush()
    await record(session, actor=actor_of(principal), action="ballot.updated", subject=f"ballot:{ballot_id}",
                 data={"fields": sorted(changes)})
    return ballot
