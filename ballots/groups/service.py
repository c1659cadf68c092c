"""Grouped ballots' use cases: make, change and delete a group while its ballots are drafts (validated, audited),
and hold a voter to its rule inside their vote's transaction."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.principal import Principal, can_moderate
from ballots.errors import InvalidBallot
from ballots.formats import Reason
from ballots.groups.models import BallotGroup
from ballots.groups.rules import GroupMember, change_refusal, district_refusal, group_problems, max_districts
from ballots.groups.schemas import GroupCreate, GroupUpdate
from ballots.models import Ballot
from ballots.service import actor_of, ensure_manager
from voting.audit.service import record
from voting.database import transaction_driver
from voting.errors import DomainError
from voting.i18n import gettext as _

__all__ = ["GroupFrozen", "GroupLimitReached", "GroupNotFound", "create_group", "delete_group", "frozen_refusal",
           "group_of", "hold_to_group_rule", "manages_group", "update_group", "view_group"]


class GroupLimitReached(DomainError):
    """The voter already voted in their own district and as many others as the group allows."""

    status_code = 409


class GroupNotFound(DomainError):
    status_code = 404


class GroupFrozen(DomainError):
    """One of the group's ballots is no longer a draft: the group stays as it is."""

    status_code = 409


def _member(ballot: Ballot, group_id: int | None = None) -> GroupMember:
    """A ballot as the group's checks see it (its own group, when it is ``group_id``, counts as none)."""
    return GroupMember(ballot.id or 0, ballot.neighbourhood_id, ballot.status, ballot.requires_residence,
                       None if ballot.group_id == group_id else ballot.group_id)


async def _chosen(session: AsyncSession, principal: Principal, data: GroupCreate, group_id: int | None,
                  refused: str) -> tuple[list[int], dict[int, Ballot]]:
    """The ballots a group form names, locked and each managed by ``principal``; refused with every reason
    (422, ``refused`` on top) when they cannot form a group."""
    wanted = list(dict.fromkeys([*data.ballot_ids, *([data.city_ballot_id] if data.city_ballot_id else [])]))
    found = {b.id or 0: b for b in (await session.exec(select(Ballot).where(col(Ballot.id).in_(wanted))
                                                       .with_for_update()
                                                       .execution_options(populate_existing=True))).all()}
    for ballot in found.values():
        ensure_manager(principal, ballot)
    missing = [bid for bid in wanted if bid not in found]
    if missing:
        raise InvalidBallot(refused, [Reason("group.unknown", _("No ballot number {id}.").format(id=bid))
                                      for bid in missing])
    problems = group_problems(data.extra_districts, [_member(found[bid], group_id) for bid in wanted],
                              data.city_ballot_id)
    if problems:
        raise InvalidBallot(refused, problems)
    return wanted, found


async def create_group(session: AsyncSession, principal: Principal, data: GroupCreate) -> tuple[BallotGroup,
                                                                                                list[int]]:
    """A group of draft ballots: each district ballot joins it; refused with every reason (422)."""
    wanted, found = await _chosen(session, principal, data, None, _("This group cannot be made."))
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


async def view_group(session: AsyncSession, principal: Principal, group_id: int, *,
                     lock: bool = False) -> tuple[BallotGroup, list[Ballot]]:
    """The group and its ballots (by number), when ``principal`` manages every one of them (403 otherwise);
    with ``lock``, their rows ``FOR UPDATE``, so that none opens while the group changes."""
    query = select(BallotGroup).where(BallotGroup.id == group_id)
    members = select(Ballot).where(Ballot.group_id == group_id).order_by(col(Ballot.id))
    if lock:
        query = query.with_for_update()
        members = members.with_for_update().execution_options(populate_existing=True)
    group = (await session.exec(query)).first()
    if group is None:
        raise GroupNotFound(_("No group of ballots number {id}.").format(id=group_id))
    ballots = list((await session.exec(members)).all())
    for ballot in ballots:
        ensure_manager(principal, ballot)
    return group, ballots


async def manages_group(session: AsyncSession, principal: Principal, group_id: int) -> bool:
    """Whether ``principal`` manages every ballot of the group, as changing or deleting it requires."""
    hoods = (await session.exec(select(Ballot.neighbourhood_id).where(Ballot.group_id == group_id))).all()
    return all(can_moderate(principal, hood) for hood in hoods)


def frozen_refusal(ballots: list[Ballot], group_id: int) -> Reason | None:
    """Why the group of these ballots can no longer change (None: all are still drafts)."""
    return change_refusal([_member(b, group_id) for b in ballots])


async def _changeable(session: AsyncSession, principal: Principal, group_id: int) -> tuple[BallotGroup,
                                                                                          list[Ballot]]:
    group, ballots = await view_group(session, principal, group_id, lock=True)
    refusal = frozen_refusal(ballots, group_id)
    if refusal is not None:
        raise GroupFrozen(refusal.message, extra=[{"code": refusal.code, "message": refusal.message}])
    return group, ballots


async def update_group(session: AsyncSession, principal: Principal, group_id: int,
                       data: GroupUpdate) -> tuple[BallotGroup, list[int]]:
    """The group as the form or body now gives it (its name, its ballots, how many other districts): 409 once one
    of its ballots is no longer a draft, 422 with every reason when the new group could not be made."""
    group, before = await _changeable(session, principal, group_id)
    wanted, found = await _chosen(session, principal, data, group_id, _("This group cannot be changed so."))
    removed = sorted(b.id or 0 for b in before if b.id not in found)
    for ballot in before:
        if ballot.id in removed:
            ballot.group_id = None
            session.add(ballot)
    await session.flush()  # a district leaves before another ballot of the same district joins
    for ballot in found.values():
        ballot.group_id = group_id
        session.add(ballot)
    changed = [name for name, value in (("title", data.title), ("extra_districts", data.extra_districts))
               if getattr(group, name) != value]
    group.title, group.extra_districts = data.title, data.extra_districts
    session.add(group)
    await session.flush()
    await record(session, actor=actor_of(principal), action="ballot_group.updated", subject=f"ballot_group:{group_id}",
                 data={"ballots": sorted(wanted), "city_ballot": data.city_ballot_id,
                       "extra_districts": data.extra_districts, "fields": changed, "removed": removed,
                       "added": sorted(set(wanted) - {b.id for b in before})})
    return group, sorted(wanted)


async def delete_group(session: AsyncSession, principal: Principal, group_id: int) -> list[int]:
    """Its ballots leave the group (they stay drafts, as they were) and the group is deleted: 409 once one of
    them is no longer a draft. Returns the ballots' numbers."""
    group, ballots = await _changeable(session, principal, group_id)
    freed = [b.id or 0 for b in ballots]
    gone = {"ballots": freed, "title": group.title, "extra_districts": group.extra_districts}
    for ballot in ballots:
        ballot.group_id = None
        session.add(ballot)
    await session.flush()
    await session.delete(group)
    await session.flush()
    await record(session, actor=actor_of(principal), action="ballot_group.deleted", subject=f"ballot_group:{group_id}",
                 data=gone)
    return freed


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
