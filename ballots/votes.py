"""Vote use cases: an online vote, a paper vote, a CSV batch of paper votes."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from ballots.casting import CastReceipt, check_and_record, load_for_vote
from ballots.errors import InvalidVote
from ballots.formats import Reason
from ballots.service import ensure_manager, load_ballot
from ballots.voters import online_identity, paper_identity
from voting.errors import DomainError
from voting.i18n import gettext as _

__all__ = ["cast_online", "cast_paper", "cast_paper_batch", "parse_choice_text"]


async def cast_online(session: AsyncSession, principal: Principal, ballot_id: int, choice: dict[str, Any],
                      idempotency_key: str | None = None, now: datetime | None = None) -> CastReceipt:
    """The logged-in voter's vote; a later one before the close replaces it."""
    loaded = await load_for_vote(session, ballot_id)
    identity = await online_identity(session, loaded.ballot, principal)
    key = (idempotency_key or "").strip()[:200] or None
    return await check_and_record(session, identity, choice, loaded, channel="online", idempotency_key=key, now=now)


async def cast_paper(session: AsyncSession, officer: Principal, ballot_id: int, voter: str,
                     choice: dict[str, Any], now: datetime | None = None) -> CastReceipt:
    """A paper vote entered by a moderator of the ballot acting as poll officer."""
    loaded = await load_for_vote(session, ballot_id)
    ensure_manager(officer, loaded.ballot)
    identity = await paper_identity(session, loaded.ballot, voter)
    return await check_and_record(session, identity, choice, loaded, channel="paper", now=now)


def parse_choice_text(text: str, cumulative: bool) -> dict[str, Any]:
    """``3 5 8`` (or ``3|5|8``) for projects; ``3:2 5:1`` for points."""
    parts = [part for part in text.replace("|", " ").replace(",", " ").replace(";", " ").split() if part]
    if cumulative:
        points: dict[str, Any] = {}
        for part in parts:
            pid, _sep, value = part.partition(":")
            points[pid] = int(value) if value.strip().lstrip("-").isdigit() else value
        return {"points": points}
    return {"projects": [int(part) if part.isdigit() else part for part in parts]}


async def cast_paper_batch(session: AsyncSession, officer: Principal, ballot_id: int, csv_text: str,
                           now: datetime | None = None) -> list[CastReceipt]:
    """Columns ``voter`` and ``projects`` (or ``points``); all rows are recorded, or none with every reason."""
    ballot = await load_ballot(session, ballot_id)
    ensure_manager(officer, ballot)
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
            receipts.append(await cast_paper(session, officer, ballot_id, named, parse_choice_text(wanted, cumulative),
                                             now=now))
        except DomainError as error:
            details = getattr(error, "reasons", None) or [Reason("paper.refused", error.message)]
            problems += [Reason(r.code, _("line {line}: {reason}").format(line=line, reason=r.message))
                         for r in details]
    if not receipts and not problems:
        problems.append(Reason("paper.empty", _("The file has no vote (columns: voter, projects or points).")))
    if problems:
        raise InvalidVote(_("No paper vote was recorded: fix these rows and send the file again."), problems)
    return receipts
