"""What the results page shows, built once per published result digest, language and city style, then reused."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from ballots.turnout import TurnoutFigures, turnout
from voting.i18n import current_language
from voting.presentation import current_style
from voting.results.cache import result_views
from voting.results.models import BallotResult
from voting.results.service import StoredResult, visible_digest
from voting.results.views import ResultView, result_view

__all__ = ["ResultPage", "result_page", "page_key", "in_currency"]


@dataclass(frozen=True)
class ResultPage:
    stored: StoredResult
    view: ResultView
    turnout: TurnoutFigures
    digest: str


async def result_page(session: AsyncSession, principal: Principal | None, ballot_id: int,
                      money: Callable[[Any], str], chart_title: str) -> ResultPage:
    """The result, its view (rows, chart, explanations) and its turnout. A published result never changes, nor
    do its votes: its view and turnout are kept per (ballot, result SHA-256, language, city style); an unpublished
    one (seen by auditors and moderators) is built each time."""
    ballot, status, digest = await visible_digest(session, principal, ballot_id)
    key = (ballot_id, digest, current_language(), current_style())
    cached: ResultPage | None = result_views.get(key) if status == "published" else None
    if cached is not None:
        return ResultPage(StoredResult(ballot, status, cached.stored.document, cached.stored.raw), cached.view,
                          cached.turnout, digest)
    row = await session.get(BallotResult, ballot_id)
    assert row is not None
    raw = row.document.encode()
    document = json.loads(raw)
    page = ResultPage(StoredResult(ballot, status, document, raw),
                      result_view(document, in_currency(money, document), chart_title),
                      await turnout(session, ballot_id), digest)
    if status == "published":
        result_views.put(key, page)
    return page


def in_currency(money: Callable[..., str], document: dict[str, Any]) -> Callable[[Any], str]:
    """``money`` in the result's own currency (an imported election's), else as it is (the city's)."""
    own = document.get("currency")
    return money if not own else lambda amount: money(amount, own)


def page_key(page: ResultPage, path: str) -> tuple[Any, ...] | None:
    """What an anonymous visitor's rendered results page depends on (None: not to be kept, as unpublished)."""
    if page.stored.status != "published":
        return None
    ballot = page.stored.ballot
    return ("html", ballot.id, page.digest, ballot.title, current_language(), current_style(), path)
