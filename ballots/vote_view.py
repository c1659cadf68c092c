"""What the vote, review and receipt pages show: the cards, the running totals, the refusals placed beside their
control, and the review of a choice before the final submit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from ballots.errors import reasons_extra
from ballots.formats import total_cost, validate_vote
from ballots.service import format_of, projects_of, view_ballot
from ballots.vote_cards import vote_cards
from ballots.vote_screen import hidden_fields, memory_key, place_reasons, review_lines
from ballots.voters import standing_context

__all__ = ["vote_page", "review_page", "choice_reasons"]


async def choice_reasons(session: AsyncSession, ballot_id: int, choice: dict[str, Any]) -> list[dict[str, str]]:
    """Every reason the choice would be refused by its format (the cast checks again, with eligibility)."""
    view = await view_ballot(session, ballot_id)
    return reasons_extra(validate_vote(format_of(view.ballot), await projects_of(session, ballot_id), choice))


async def vote_page(session: AsyncSession, ballot_id: int, choice: dict[str, Any], principal: Principal, *,
                    idempotency_key: str = "", error: str | None = None,
                    reasons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The vote page: the cards and controls only for a resident who can vote now, else their standing with its
    fixes. ``choice`` is what the voter had chosen (after a check, a refusal or "change" on the review page)."""
    view = await view_ballot(session, ballot_id)
    chosen = [p for p in choice.get("projects", []) if isinstance(p, int)]
    points = {str(k): v for k, v in dict(choice.get("points") or {}).items()}
    spent = total_cost(await projects_of(session, ballot_id), chosen)
    return {"view": view, "cards": await vote_cards(session, ballot_id), "choice": choice, "chosen": chosen,
            "points": points, "points_given": sum(v for v in points.values() if isinstance(v, int) and v > 0),
            "spent": spent, "checked": bool(choice), "idempotency_key": idempotency_key or uuid.uuid4().hex,
            "error": error, "reasons": reasons or [], "placed": place_reasons(reasons or []),
            "memory_key": memory_key(ballot_id, principal.id),
            **await standing_context(session, view, principal)}


async def review_page(session: AsyncSession, ballot_id: int, choice: dict[str, Any], principal: Principal,
                      idempotency_key: str) -> dict[str, Any]:
    """The review before the final submit: the chosen projects, what they cost, and the choice to post again."""
    view = await view_ballot(session, ballot_id)
    lines = review_lines(view.projects, choice, view.ballot.vote_format)
    return {"view": view, "lines": lines, "total": sum(line.cost for line in lines),
            "fields": hidden_fields(choice, view.ballot.vote_format), "blank": choice.get("blank") is True,
            "idempotency_key": idempotency_key or uuid.uuid4().hex, "memory_key": memory_key(ballot_id, principal.id),
            **await standing_context(session, view, principal)}
