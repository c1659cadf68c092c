"""Vote use cases: an online vote, a paper vote, a CSV batch of paper votes (poll officers, audited)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal, can_enter_paper_votes
from ballots.casting import CastReceipt, check_and_record, load_for_vote
from ballots.errors import InvalidVote, NotAllowed
from ballots.formats import Reason
from ballots.forms import digits
from ballots.groups.service import hold_to_group_rule
from ballots.models import Ballot
from ballots.service import load_ballot
from ballots.voters import online_identity, paper_identity
from voting.audit.service import record
from voting.errors import DomainError
from voting.i18n import gettext as _

__all__ = ["cast_online", "cast_paper", "cast_paper_batch", "ensure_poll_officer", "parse_choice_text"]


async def cast_online(session: AsyncSession, principal: Principal, ballot_id: int, choice: dict[str, Any],
                      idempotency_key: str | None = None, now: datetime | None = None) -> CastReceipt:
    """The logged-in voter's vote; a later one before the close replaces it."""
    loaded = await load_for_vote(session, ballot_id)
    identity = await online_identity(session, loaded.ballot, principal)
    await hold_to_group_rule(session, loaded.ballot, f"a:{principal.id}", identity.voter.neighbourhood_id)
    key = (idempotency_key or "").strip()[:200] or None
    return await check_and_record(session, identity, choice, loaded, channel="online", idempotency_key=key, now=now)


def ensure_poll_officer(officer: Principal, ballot: Ballot) -> None:
    """Paper votes are entered by a poll officer of the ballot's neighbourhood (or an admin), nobody else."""
    if not can_enter_paper_votes(officer, ballot.neighbourhood_id):
        raise NotAllowed(_("Only poll officers of this neighbourhood and admins enter paper votes."))


async def _audit_paper(session: AsyncSession, officer: Principal, ballot_id: int, count: int, mode: str) -> None:
    """Who entered how many paper votes in which ballot; never whose, never what."""
    await record(session, actor=f"account:{officer.id}", action="ballot.paper_votes", subject=f"ballot:{ballot_id}",
                 data={"officer": str(officer.id), "ballot": ballot_id, "votes": count, "mode": mode})


async def _enter_paper(session: AsyncSession, ballot_id: int, voter: str, choice: dict[str, Any],
                       now: datetime | None) -> CastReceipt:
    loaded = await load_for_vote(session, ballot_id)
    identity = await paper_identity(session, loaded.ballot, voter)
    await hold_to_group_rule(session, loaded.ballot, identity.ref, identity.voter.neighbourhood_id)
    return await check_and_record(session, identity, choice, loaded, channel="paper", now=now)


async def cast_paper(session: AsyncSession, officer: Principal, ballot_id: int, voter: str,
                     choice: dict[str, Any], now: datetime | None = None) -> CastReceipt:
    """A paper vote entered by a poll officer for a voter who came in person; audited."""
    ensure_poll_officer(officer, await load_ballot(session, ballot_id))
    receipt = await _enter_paper(session, ballot_id, voter, choice, now)
    await _audit_paper(session, officer, ballot_id, 1, "single")
    return receipt


def parse_choice_text(text: str, cumulative: bool) -> dict[str, Any]:
    """``3 5 8`` (or ``3|5|8``) for projects; ``3:2 5:1`` for points."""
    parts = [part for part in text.replace("|", " ").replace(",", " ").replace(";", " ").split() if part]
    if cumulative:
        points: dict[str, Any] = {}
        for part in parts:
            pid, _sep, value = part.partition(":")
            points[pid] = int(value) if digits(value.strip().removeprefix("-")) else value
        return {"points": points}
    return {"projects": [int(part) if digits(part) else part for part in parts]}


async def cast_paper_batch(session: AsyncSession, officer: Principal, ballot_id: int, csv_text: str,
                           now: datetime | None = None) -> list[CastReceipt]:
    """Columns ``voter`` and ``projects`` (or ``points``); all rows are recorded, or none with every reason."""
    ballot = await load_ballot(session, ballot_id)
    ensure_poll_officer(officer, ballot)
    cumulative = ballot.vote_format == "cumulative"
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    receipts: list[CastReceipt] = []
    problems: list[Reason] = []
    for line, row in enumerate(reader, start=2):
        named = (row.get("voter") or "").strip()
        wanted = (row.get("points") if cumulative else row.get("projects")) or ""
        try:
            if not named:
                raise InvalidVote(_("This vote is not valid."), [Reason("paper.voter", _("no voter"))])
            receipts.append(await _enter_paper(session, ballot_id, named, parse_choice_text(wanted, cumulative), now))
        except DomainError as error:
            details = getattr(error, "reasons", None) or [Reason("paper.refused", error.message)]
            problems += [Reason(r.code, _("line {line}: {reason}").format(line=line, reason=r.message))
                         for r in details]
    if not receipts and not problems:
        problems.append(Reason("paper.empty", _("The file has no vote (columns: voter, projects or points).")))
    if problems:
        raise InvalidVote(_("No paper vote was recorded: fix these rows and send the file again."), problems)
    await _audit_paper(session, officer, ballot_id, len(receipts), "batch")
    return receipts
