"""Choosing a ballot's shortlist from accepted proposals and their support counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voting.i18n import gettext as _

__all__ = ["SHORTLIST_MODES", "Candidate", "ShortlistRefused", "select_shortlist"]

SHORTLIST_MODES = ("manual", "top", "min_supports")


@dataclass(frozen=True)
class Candidate:
    proposal_id: int
    supports: int


class ShortlistRefused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def select_shortlist(candidates: Sequence[Candidate], mode: str, *, proposal_ids: Sequence[int] = (),
                     n: int | None = None, k: int | None = None) -> list[int]:
    """Proposal ids in ballot order.

    ``manual`` keeps the given order; ``top`` takes the ``n`` most supported; ``min_supports`` those with at
    least ``k``. Automatic modes order by supports, most first, then by proposal id (older first) on ties.
    """
    ranked = sorted(candidates, key=lambda c: (-c.supports, c.proposal_id))
    if mode == "manual":
        known = {c.proposal_id for c in candidates}
        unknown = [pid for pid in proposal_ids if pid not in known]
        if unknown:
            raise ShortlistRefused([_("Proposal {id} is not an accepted proposal of this neighbourhood.").format(
                id=pid) for pid in unknown])
        if len(set(proposal_ids)) != len(proposal_ids):
            raise ShortlistRefused([_("A proposal appears twice in the shortlist.")])
        return list(proposal_ids)
    if mode == "top":
        if n is None or n < 1:
            raise ShortlistRefused([_("Give how many proposals to keep (n, at least 1).")])
        return [c.proposal_id for c in ranked[:n]]
    if mode == "min_supports":
        if k is None or k < 0:
            raise ShortlistRefused([_("Give the minimum number of supports (k, zero or more).")])
        return [c.proposal_id for c in ranked if c.supports >= k]
    raise ShortlistRefused([_("Unknown shortlist mode {mode}.").format(mode=mode)])
