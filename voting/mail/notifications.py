"""Who is told what: the proposer when a moderator decides, opted-in residents when a ballot opens or publishes."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from voting.config import load_settings
from voting.mail.rules import check_address
from voting.mail.service import city_context, enqueue, public_link, rendered_for, wake_senders

__all__ = ["notify_proposal_reviewed", "notify_ballot_status", "REVIEW_DECISIONS"]

log = logging.getLogger("greenballot.mail")
REVIEW_DECISIONS = {"accept": "accepted", "request_changes": "changes_requested", "reject": "rejected"}

_TO_OPTED_IN = """
INSERT INTO mail_outbox (message_id, account_id, to_address, kind, language, subject, body_text, body_html)
SELECT '<' || replace(CAST(gen_random_uuid() AS text), '-', '') || '@' || :host || '>', a.id, a.email, :kind,
       :language, :subject, :body_text, :body_html
FROM account AS a
WHERE a.is_active AND a.email_confirmed_at IS NOT NULL AND a.{choice}
  AND coalesce(a.language, :default_language) = :language
  AND (CAST(:neighbourhood_id AS integer) IS NULL OR a.neighbourhood_id = :neighbourhood_id)
"""


async def notify_proposal_reviewed(session: AsyncSession, proposal: Any, action: str, reason: str) -> None:
    """Tell the proposer what the moderator decided, with the moderator's words, in the proposer's language."""
    account = await session.get(Account, proposal.proposer_id)
    if account is None or not account.is_active or action not in REVIEW_DECISIONS:
        return
    try:
        check_address(account.email)
    except ValueError:  # an address nobody can write to must not block the moderator's decision
        log.warning("mail: no review mail for account %s: its address cannot receive mail", account.id)
        return
    await enqueue(session, to=account.email, kind="proposal_reviewed", language=account.language or "",
                  account_id=account.id,
                  context={"name": account.display_name, "title": proposal.title,
                           "decision": REVIEW_DECISIONS[action], "reason": reason,
                           "link": public_link(f"/proposals/{proposal.id}")})


async def notify_ballot_status(session: AsyncSession, ballot: Any, target: str) -> int:
    """On "open" and "published", mail every opted-in, confirmed resident of the ballot's neighbourhood (every
    neighbourhood for a city-wide ballot): one ``INSERT … SELECT`` per language, rendered once. Returns how many."""
    if target == "open":
        kind, choice = "ballot_opened", "notify_ballot_opened"
        context: dict[str, Any] = {"title": ballot.title, "opens_at": ballot.opens_at,
                                   "closes_at": ballot.closes_at, "link": public_link(f"/ballots/{ballot.id}")}
    elif target == "published":
        kind, choice = "results_published", "notify_results"
        context = {"title": ballot.title, "link": public_link(f"/ballots/{ballot.id}/results")}
    else:
        return 0
    context["account_link"] = public_link("/account")  # where the choice is undone
    default_language, style = await city_context(session)
    host = urlsplit(load_settings().public_url).hostname or "localhost"
    count = 0
    for language, mail in rendered_for(kind, context, style).items():  # language: one of LANGUAGES
        result: Any = await session.exec(text(_TO_OPTED_IN.format(choice=choice)).bindparams(  # type: ignore[call-overload]
            host=host, kind=kind, language=language, subject=mail.subject, body_text=mail.text,
            body_html=mail.html, default_language=default_language, neighbourhood_id=ballot.neighbourhood_id))
        count += result.rowcount or 0
    if count:
        await wake_senders(session)
    return count
