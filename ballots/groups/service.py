"""Grouped ballots' use cases: make a group (validated, audited) and hold a voter to its rule inside their vote's
transaction."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal
from ballots.errors import InvalidBallot
from ballots.formats import Reason
from ballots.groups.models import BallotGroup
from ballots.groups.rules import GroupMember, district_refusal, group_problems, max_districts
from ballots.groups.schemas import GroupCreate
from ballots.models import Ballot
from ballots.service import actor_of, ensure_manager
from voting.audit.service import record
from voting.database import transaction_driver
from voting.errors import DomainError
from voting.i18n import gettext as _

__all__ = ["GroupLimitReached", "create_group", "group_of", "hold_to_group_rule"]


class GroupLimitReached(DomainError):
    """The voter already voted in their own district and as many others as the group allows."""

    status_code = 409


async def create_group(session: AsyncSession, principal: Principal, data: GroupCreate) -> tuple[BallotGroup,
                                                                                                list[int]]:
    """A group of draft ballots: each district ballot joins it; refused with every reason (422)."""
    wanted = list(dict.fromkeys([*data.ballot_ids, *([data.city_ballot_id] if data.city_ballot_id else [])]))
    found = {b.id: b for b in (await session.exec(select(Ballot).where(col(Ballot.id).in_(wanted))
                                                   .with_for_update())).all()}
    for ballot in found.values():
        ensure_manager(principal, ballot)
    missing = [bid for bid in wanted if bid not in found]
    if missing:
        raise InvalidBallot(_("This group cannot be made."), [
            Reason("group.unknown", _("No ballot number {id}.").format(id=bid)) for bid in missing])
    members = [GroupMember(b.id or 0, b.neighbourhood_id, b.status, b.requires_residence, b.group_id)
               for b in (found[bid] for bid in wanted)]
    problems = group_problems(data.extra_districts, members, data.city_ballot_id)
    if problems:
        raise InvalidBallot(_("This group cannot be made."), problems)
    group = BallotGroup(title=data.title, extra_districts=data.extra_districts)
    session.add(group)
    await session.flush()
    for ballot in found.values():
        ballot.group_id = group.id
        session.add(ballot)
    await session.flush()
    await record(session, actor=actor_of(principal), action="ballot_group.created", subject=f"ballot_group:{group.id}",
                 data={"ballots": sorted(wanted), "city_ballot": data.city_ballot_id,
                       "extra_districts": data.extra_districts})
    return group, sorted(wanted)


async def group_of(session: AsyncSession, group_id: int | None) -> BallotGroup | None:
    """The group a ballot belongs to (None: it belongs to none)."""
    return None if group_id is None else await session.get(BallotGroup, group_id)


_RULE = "SELECT extra_districts FROM ballot_group WHERE id = $1"
_LOCK = ("INSERT INTO ballot_group_voter (group_id, voter_key, max_districts) VALUES ($1, $2, $3) "
         "ON CONFLICT (group_id, voter_key) DO UPDATE SET max_districts = EXCLUDED.max_districts "
         "RETURNING district_ids")  # inserts or locks the voter's row until the vote's transaction ends
_ADD = ("UPDATE ballot_group_voter SET district_ids = array_append(district_ids, $3) "
        "WHERE group_id = $1 AND voter_key = $2 AND NOT ($3 = ANY(district_ids))")


async def hold_to_group_rule(session: AsyncSession, ballot: Ballot, voter_key: str,
                             own_district: int | None) -> None:
    """On a district ballot of a group: lock the voter's row of the group, refuse a district beyond the rule
    (409 naming it), else remember the district. Runs in the vote's transaction: a refused or failed vote leaves
    nothing, and two parallel votes of one voter wait for each other on the row lock.

    ``voter_key`` names the voter across the group's ballots: ``a:<account id>`` (online, and paper votes of
    voters with an account)."""
    if ballot.group_id is None or ballot.neighbourhood_id is None:
        return
    driver = await transaction_driver(session)
    extra = await driver.fetchval(_RULE, ballot.group_id)
    if extra is None:
        return
    voted = await driver.fetchval(_LOCK, ballot.group_id, voter_key, max_districts(extra))
    refusal = district_refusal(own_district, list(voted or []), ballot.neighbourhood_id, extra)
    if refusal is not None:
        raise GroupLimitReached(refusal.message, extra=[{"code": refusal.code, "message": refusal.message}])
    await driver.execute(_ADD, ballot.group_id, voter_key, ballot.neighbourhood_id)
