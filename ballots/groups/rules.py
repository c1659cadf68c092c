"""Pure: a group of ballots' settings checked, and whether a voter may vote in one more district of the group."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ballots.formats import Reason
from voting.i18n import gettext as _

__all__ = ["GroupMember", "group_problems", "change_refusal", "district_refusal", "allowed_districts",
           "max_districts"]


@dataclass(frozen=True)
class GroupMember:
    """A ballot proposed for a group, as the check needs it."""

    ballot_id: int
    district_id: int | None  # None: the city-wide ballot
    status: str
    requires_residence: bool
    group_id: int | None  # a group it already belongs to


def max_districts(extra: int) -> int:
    """How many district ballots one voter may vote in: their own and ``extra`` others."""
    return extra + 1


def group_problems(extra: int, members: Sequence[GroupMember], city_ballot_id: int | None) -> list[Reason]:
    """What is wrong with a group of ballots (empty when it can be made)."""
    reasons: list[Reason] = []
    districts = [m for m in members if m.ballot_id != city_ballot_id]
    if len(districts) < 2:
        reasons.append(Reason("group.size", _("A group needs at least two district ballots.")))
    if extra < 0 or districts and extra >= len(districts) - 1 and len(districts) >= 2:
        reasons.append(Reason("group.extra", _("The number of other districts must be between 0 and {n}: with {m} "
                                               "district ballots, more lets everyone vote everywhere.").format(
            n=max(len(districts) - 2, 0), m=len(districts))))
    seen: set[int] = set()
    for member in districts:
        if member.district_id is None:
            reasons.append(Reason("group.district", _("Ballot {id} is city-wide: name it as the group's city-wide "
                                                      "ballot.").format(id=member.ballot_id)))
        elif member.district_id in seen:
            reasons.append(Reason("group.district", _("Two ballots of the group are for the same district "
                                                      "(ballot {id}).").format(id=member.ballot_id)))
        else:
            seen.add(member.district_id)
        if member.requires_residence:
            reasons.append(Reason("group.residence", _("Ballot {id} admits only its district's residents: turn "
                                                       "residence off, the group's rule replaces it.").format(
                id=member.ballot_id)))
    for member in members:
        if member.ballot_id == city_ballot_id and member.district_id is not None:
            reasons.append(Reason("group.city", _("Ballot {id} belongs to a district, not to the whole city.").format(
                id=member.ballot_id)))
        if member.status != "draft":
            reasons.append(Reason("group.status", _("Ballot {id} is not a draft: ballots are grouped before they "
                                                    "open.").format(id=member.ballot_id)))
        if member.group_id is not None:
            reasons.append(Reason("group.taken", _("Ballot {id} already belongs to a group.").format(
                id=member.ballot_id)))
    return reasons


def change_refusal(members: Sequence[GroupMember]) -> Reason | None:
    """Why a group can no longer be changed or deleted (None: every ballot in it is still a draft). Voters are
    held to a group's rule from the first vote in any of its ballots, so it never moves once one has opened."""
    for member in sorted(members, key=lambda m: m.ballot_id):
        if member.status != "draft":
            return Reason("group.frozen", _("Ballot {id} of this group is no longer a draft: a group can be changed "
                                            "or deleted only while all its ballots are drafts.").format(
                id=member.ballot_id))
    return None


def allowed_districts(own: int | None, voted: Collection[int], extra: int) -> bool:
    """The definition: a voter's set of districts voted in is allowed when at most ``extra`` are not their own."""
    return len(set(voted) - {own}) <= extra


def district_refusal(own: int | None, voted: Collection[int], target: int, extra: int) -> Reason | None:
    """Why a voter who voted in ``voted`` may not vote in district ``target`` now (None: they may).

    Voting again in a district already voted in replaces that vote and is always allowed; one's own district is
    always allowed; another district only while fewer than ``extra`` others were voted in."""
    if target in voted or target == own or allowed_districts(own, {*voted, target}, extra):
        return None
    return Reason("group.limit", _("You already voted in {n} other district(s) of this group besides your own; "
                                   "the rule is your own district and {extra} other(s).").format(
        n=len(set(voted) - {own}), extra=extra))
