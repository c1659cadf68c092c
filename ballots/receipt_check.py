"""Checking a receipt: recorded, replaced by a later vote, or counted; with its Merkle inclusion proof."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots import merkle, receipts
from ballots.checkpoints import latest_checkpoint, tree_leaves
from ballots.errors import ReceiptNotFound
from ballots.service import load_ballot
from ballots.vote_models import Participation, Vote, VoteLeaf
from voting.i18n import gettext as _

__all__ = ["ReceiptCheck", "check_receipt"]


@dataclass(frozen=True)
class ReceiptCheck:
    ballot_id: int
    ballot_title: str
    status: str  # recorded | replaced | counted
    commitment: str
    leaf_index: int | None = None
    checkpoint_size: int | None = None
    checkpoint_root: str | None = None
    inclusion_proof: list[str] = field(default_factory=list)


async def _leaf(session: AsyncSession, code: str) -> tuple[VoteLeaf, str] | None:
    """The receipt's log leaf and the commitment it keeps (unmasked with the code)."""
    leaf = (await session.exec(select(VoteLeaf).where(VoteLeaf.receipt_key == receipts.log_key(code)))).first()
    if leaf is not None and leaf.masked:
        return leaf, receipts.mask_commitment(code, leaf.masked_commitment)
    legacy = (await session.exec(select(VoteLeaf).where(VoteLeaf.receipt_key == receipts.receipt_hash(code),
                                                        col(VoteLeaf.masked).is_(False)))).first()
    return (legacy, legacy.masked_commitment) if legacy is not None else None


async def _is_current(session: AsyncSession, leaf: VoteLeaf, code: str) -> bool:
    """The voter's latest vote: in the ballot box once it is opened, else named by the voter's participation."""
    digest = receipts.receipt_hash(code)
    if (await session.exec(select(Vote.ballot_id).where(Vote.receipt_hash == digest))).first() is not None:
        return True
    named = select(Participation.ballot_id).where(Participation.ballot_id == leaf.ballot_id,
                                                   Participation.receipt_key == leaf.receipt_key)
    return (await session.exec(named)).first() is not None and not await _box_opened(session, leaf.ballot_id)


async def _box_opened(session: AsyncSession, ballot_id: int) -> bool:
    ballot = await load_ballot(session, ballot_id)
    return ballot.status in ("closed", "tallied", "published")


async def check_receipt(session: AsyncSession, code: str) -> ReceiptCheck:
    found = await _leaf(session, code) if len(receipts.normalise_code(code)) == 26 else None
    if found is None:
        raise ReceiptNotFound(_("No vote has this receipt code."))
    leaf, commitment = found
    ballot = await load_ballot(session, leaf.ballot_id)
    current = await _is_current(session, leaf, code)
    status = "replaced" if not current else "counted" if ballot.status == "published" else "recorded"
    checkpoint = await latest_checkpoint(session, leaf.ballot_id)
    if leaf.tree_index is None or checkpoint is None or leaf.tree_index >= checkpoint.tree_size:
        return ReceiptCheck(leaf.ballot_id, ballot.title, status, commitment)
    leaves = await tree_leaves(session, leaf.ballot_id, checkpoint.tree_size)
    proof = [node.hex() for node in merkle.inclusion_proof(leaves, leaf.tree_index)]
    return ReceiptCheck(leaf.ballot_id, ballot.title, status, commitment, leaf.tree_index,
                        checkpoint.tree_size, checkpoint.root, proof)
