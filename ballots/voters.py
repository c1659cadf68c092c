"""Who is voting: the online voter from their login, or the paper voter named by a poll officer; their standing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from auth.principal import Principal
from ballots.casting import VoterIdentity
from ballots.eligibility import Voter
from ballots.errors import NotEligible
from ballots.formats import Reason
from ballots.lifecycle import vote_refusal
from ballots.models import Ballot, VoterRollEntry
from ballots.service import BallotView, rules_of, window_of
from ballots.standing import Standing, standing_of
from voting.i18n import gettext as _
from voting.models import Neighbourhood

__all__ = ["online_identity", "voter_identity", "paper_identity", "roll_entry_for", "caller_standing",
           "standing_context"]


async def roll_entry_for(session: AsyncSession, ballot_id: int, email: str | None,
                         external_id: str | None) -> VoterRollEntry | None:
    matches: list[Any] = []
    if email:
        matches.append(VoterRollEntry.email == email.strip().lower())
    if external_id:
        matches.append(VoterRollEntry.external_id == external_id.strip())
    if not matches:
        return None
    return (await session.exec(select(VoterRollEntry).where(VoterRollEntry.ballot_id == ballot_id,
                                                            or_(*matches)).limit(1))).first()


async def online_identity(session: AsyncSession, ballot: Ballot, principal: Principal) -> VoterIdentity:
    """On a ballot with a roll, the voter is their roll entry (shared with a paper vote); else their account."""
    assert ballot.id is not None
    entry = None
    if ballot.requires_roll:
        entry = await roll_entry_for(session, ballot.id, principal.email, str(principal.id))
    return voter_identity(principal, entry)


def voter_identity(principal: Principal, entry: VoterRollEntry | None = None) -> VoterIdentity:
    """The voter a login makes, on the ballot's roll as ``entry`` or (no roll) as their account."""
    own = "verified" if principal.verified else "declared"
    hood_on_roll = entry is not None and entry.neighbourhood_id is not None
    born_on_roll = entry is not None and entry.birth_date is not None
    voter = Voter(on_roll=entry is not None,
                  neighbourhood_id=(entry.neighbourhood_id if entry else None) or principal.neighbourhood_id,
                  birth_date=(entry.birth_date if entry else None) or principal.birth_date,
                  verified=principal.verified, email_confirmed=principal.email_confirmed,
                  residence_source="roll" if hood_on_roll else own, age_source="roll" if born_on_roll else own)
    return VoterIdentity(ref=f"r:{entry.id}" if entry else f"a:{principal.id}", voter=voter)


async def caller_standing(session: AsyncSession, view: BallotView, principal: Principal | None) -> Standing:
    """The logged-in caller's standing on the ballot (no query unless the ballot has a roll to look up)."""
    ballot = view.ballot
    voter = (await online_identity(session, ballot, principal)).voter if principal is not None else None
    return standing_of(rules_of(ballot), voter, ballot.closes_at.date(), ballot_id=ballot.id or 0,
                       not_open=None if view.accepts_votes else (vote_refusal(window_of(ballot), datetime.now(UTC))
                                                                 or _("This ballot does not accept votes now.")))


async def standing_context(session: AsyncSession, view: BallotView, principal: Principal | None) -> dict[str, Any]:
    """What the ballot and vote pages show of the caller's standing, with the name of their neighbourhood."""
    standing = await caller_standing(session, view, principal)
    home = await session.get(Neighbourhood, standing.neighbourhood_id) if standing.neighbourhood_id else None
    return {"standing": standing, "home": home, "logged_in": principal is not None}


async def _account(session: AsyncSession, named: str) -> Account | None:
    try:
        by_id = uuid.UUID(named)
    except ValueError:
        return (await session.exec(select(Account).where(func.lower(Account.email) == named.lower()))).first()
    return await session.get(Account, by_id)


async def paper_identity(session: AsyncSession, ballot: Ballot, named: str) -> VoterIdentity:
    """A paper voter named by email or external id; the poll officer has checked their identity."""
    assert ballot.id is not None
    named = named.strip()
    account = await _account(session, named)
    if ballot.requires_roll:
        entry = await roll_entry_for(session, ballot.id, named if "@" in named else None,
                                     str(account.id) if account else named)
        if entry is None:
            raise NotEligible(_("This voter may not vote on this ballot."),
                              [Reason("eligibility.roll", _("{voter} is not on this ballot's voter roll.").format(
                                  voter=named))])
        if account is None and entry.email:
            account = await _account(session, entry.email)
        voter = Voter(True, entry.neighbourhood_id or (account.neighbourhood_id if account else None),
                      entry.birth_date or (account.birth_date if account else None), True, email_confirmed=True)
        return VoterIdentity(ref=f"r:{entry.id}", voter=voter)
    if account is None:
        raise NotEligible(_("This voter may not vote on this ballot."),
                          [Reason("eligibility.unknown", _("No account or roll entry for {voter}.").format(
                              voter=named))])
    return VoterIdentity(ref=f"a:{account.id}",
                         voter=Voter(False, account.neighbourhood_id, account.birth_date, True, email_confirmed=True))
