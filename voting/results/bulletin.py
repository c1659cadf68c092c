"""The bulletin board read a page at a time: counted votes by receipt, a search by receipt code or hash."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from ballots.models import Ballot
from ballots.receipts import normalise_code, receipt_hash
from voting.results.exports import bulletin_csv
from voting.results.models import BallotResult
from voting.results.service import ballot_projects, board_ballot, board_rows

__all__ = ["PAGE_SIZE", "BoardPage", "wanted_hash", "bulletin_page", "bulletin_csv_file"]

PAGE_SIZE = 100
HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class BoardPage:
    ballot: Ballot
    rows: list[tuple[str, str, Any]]
    votes: int
    participants: int
    page: int
    pages: int
    receipt: str
    wanted: str
    found: tuple[str, str, Any] | None
    names: dict[int, str]


def wanted_hash(receipt: str) -> str:
    """The receipt hash searched for: a 64-digit hash as given, else the hash of the receipt code ('' if none)."""
    receipt = receipt.strip()
    if HEX_HASH.fullmatch(receipt):
        return receipt.lower()
    return receipt_hash(receipt) if normalise_code(receipt) else ""


async def _scalar(session: AsyncSession, sql: str, **params: Any) -> Any:
    return (await session.exec(text(sql).bindparams(**params))).one()[0]  # type: ignore[call-overload]


async def bulletin_page(session: AsyncSession, principal: Principal | None, ballot_id: int, page: int | None = None,
                        receipt: str = "", page_size: int = PAGE_SIZE) -> BoardPage:
    """One page of the board (``page`` from 1); a found receipt without a page asked opens the page that holds it."""
    ballot = await board_ballot(session, principal, ballot_id)
    votes = await _scalar(session, "SELECT count(*) FROM vote WHERE ballot_id = :b", b=ballot_id)
    participants = await _scalar(session, "SELECT count(*) FROM participation WHERE ballot_id = :b", b=ballot_id)
    pages = max(1, -(-votes // page_size))
    wanted, found = wanted_hash(receipt), None
    if wanted:
        row = (await session.exec(text(  # type: ignore[call-overload]
            "SELECT receipt_hash, commitment, content::text FROM vote WHERE ballot_id = :b AND receipt_hash = :h"
        ).bindparams(b=ballot_id, h=wanted))).first()
        if row is not None:
            found = (row[0], row[1], json.loads(row[2]))
            if page is None:
                before = await _scalar(session, "SELECT count(*) FROM vote WHERE ballot_id = :b AND receipt_hash < :h",
                                       b=ballot_id, h=wanted)
                page = before // page_size + 1
    page = min(max(page or 1, 1), pages)
    rows = (await session.exec(text(  # type: ignore[call-overload]
        "SELECT receipt_hash, commitment, content::text FROM vote WHERE ballot_id = :b ORDER BY receipt_hash "
        "LIMIT :n OFFSET :o").bindparams(b=ballot_id, n=page_size, o=(page - 1) * page_size))).all()
    names = {project.id: project.name for project in await ballot_projects(session, ballot_id)}
    return BoardPage(ballot, [(r, c, json.loads(content)) for r, c, content in rows], votes, participants, page,
                     pages, receipt, wanted, found, names)


async def bulletin_csv_file(session: AsyncSession, principal: Principal | None, ballot_id: int,
                            key_secret: str | None = None) -> bytes:
    """The board as CSV: the stored signed export once the ballot is tallied, read live before that."""
    from voting.results.stored_exports import export_file

    await board_ballot(session, principal, ballot_id)
    if await session.get(BallotResult, ballot_id) is not None:
        return (await export_file(session, principal, ballot_id, "bulletin.csv", key_secret)).content
    rows, _ = await board_rows(session, ballot_id)
    return bulletin_csv(rows).encode()
