"""Turning ballot domain objects into API schemas (shared by the JSON API and the CLI)."""

from __future__ import annotations

from ballots.casting import CastReceipt
from ballots.receipt_check import ReceiptCheck
from ballots.roll import RollImport
from ballots.schemas import (
    BallotProjectPublic,
    BallotPublic,
    CheckpointPublic,
    ReceiptStatus,
    RollRejection,
    RollReport,
    StandingPublic,
    StandingReason,
    Turnout,
    VoteReceipt,
)
from ballots.service import BallotView
from ballots.standing import Standing
from ballots.turnout import TurnoutFigures
from ballots.vote_models import VoteCheckpoint

__all__ = ["ballot_public", "standing_public", "receipt_public", "receipt_status", "roll_report", "turnout_public",
           "checkpoint_public"]

_FIELDS = ("neighbourhood_id", "title", "description", "budget", "vote_format", "min_projects", "max_projects",
           "min_spend_percent", "total_points", "max_points_per_project", "max_ranks", "min_project_score",
           "min_voter_share", "constraints", "rule", "tie_break",
           "opens_at", "closes_at", "requires_roll", "requires_residence", "min_age", "requires_verified",
           "cancel_reason", "allow_blank")


def ballot_public(view: BallotView, standing: Standing | None = None) -> BallotPublic:
    ballot = view.ballot
    return BallotPublic(id=ballot.id or 0, status=view.status, stored_status=ballot.status,
                        accepts_votes=view.accepts_votes, **{name: getattr(ballot, name) for name in _FIELDS},
                        projects=[BallotProjectPublic(proposal_id=p.proposal_id, title=p.title, summary=p.summary,
                                                      cost=p.cost, position=p.position) for p in view.projects],
                        standing=standing_public(standing) if standing is not None else None)


def standing_public(standing: Standing) -> StandingPublic:
    return StandingPublic(can_vote=standing.can_vote, residence=standing.residence_source, age=standing.age_source,
                          reasons=[StandingReason(code=r.code, message=r.message, fix=r.fix, fix_url=r.fix_url)
                                   for r in standing.reasons])


def receipt_public(cast: CastReceipt) -> VoteReceipt:
    return VoteReceipt(ballot_id=cast.ballot_id, receipt=cast.receipt, commitment=cast.commitment,
                       replaced_previous=cast.replaced_previous, replayed=cast.replayed, channel=cast.channel)


def receipt_status(check: ReceiptCheck) -> ReceiptStatus:
    return ReceiptStatus(ballot_id=check.ballot_id, status=check.status, commitment=check.commitment,
                         leaf_index=check.leaf_index, checkpoint_size=check.checkpoint_size,
                         checkpoint_root=check.checkpoint_root, inclusion_proof=check.inclusion_proof)


def roll_report(result: RollImport) -> RollReport:
    return RollReport(ballot_id=result.ballot_id, accepted=result.accepted, added=result.added,
                      updated=result.updated,
                      rejected=[RollRejection(line=r.line, reason=r.reason) for r in result.rejected])


def turnout_public(figures: TurnoutFigures) -> Turnout:
    return Turnout(ballot_id=figures.ballot_id, votes=figures.votes, eligible=figures.eligible, share=figures.share,
                   by_channel=figures.by_channel, by_age_band=figures.by_age_band)


def checkpoint_public(checkpoint: VoteCheckpoint) -> CheckpointPublic:
    return CheckpointPublic(ballot_id=checkpoint.ballot_id, tree_size=checkpoint.tree_size, root=checkpoint.root,
                            signature=checkpoint.signature, kid=checkpoint.kid, created_at=checkpoint.created_at)
