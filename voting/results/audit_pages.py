"""Auditor pages: ballots with their results and downloads, the audit log, its checkpoints and the keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter
from litestar.response import Template
from sqlmodel import col, select

from auth.guards import requires_auditor
from auth.keys import published_keys
from ballots.models import Ballot
from voting.audit.service import list_checkpoints, list_entries
from voting.database import DBSession
from voting.results.models import BallotResult

__all__ = ["AuditPages"]

PER_PAGE = 50


class AuditPages(Controller):
    path = "/audit"
    guards = [requires_auditor]
    include_in_schema = False

    @get("/", name="audit")
    async def index(self, db_session: DBSession) -> Template:
        ballots = (await db_session.exec(select(Ballot).where(col(Ballot.status).in_(
            ("open", "closed", "tallied", "published"))).order_by(col(Ballot.closes_at).desc()))).all()
        tallied = set((await db_session.exec(select(BallotResult.ballot_id))).all())
        checkpoints = await list_checkpoints(db_session, 20)
        return Template("audit/index.html", context={
            "ballots": ballots, "tallied": tallied, "checkpoints": checkpoints,
            "signed_at": {c.seq: _moment(c.at) for c in checkpoints}, "keys": await published_keys(db_session)})

    @get("/log", name="audit-log")
    async def log(self, db_session: DBSession, action: Annotated[str, QueryParameter(max_length=100)] = "",
                  actor: Annotated[str, QueryParameter(max_length=200)] = "",
                  page: Annotated[int, QueryParameter(ge=1, le=1_000_000)] = 1) -> Template:
        entries, total = await list_entries(db_session, action=action, actor=actor, page=page, per_page=PER_PAGE)
        pages = max(1, -(-total // PER_PAGE))
        return Template("audit/log.html", context={"entries": entries, "total": total, "page": page, "pages": pages,
                                                   "action": action, "actor": actor})


def _moment(text: str) -> datetime | str:
    """A checkpoint's signed ISO time as a moment (shown in the city's zone), or the text if unreadable."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return text
