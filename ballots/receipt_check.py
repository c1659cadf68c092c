"""Checking a receipt: recorded, replaced by a later vote, or counted; with its Merkle inclusion proof."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ballots import merkle, receipts
from ballots.checkpoints import latest_checkpoint, tree_leaves
from ballots.errors import ReceiptNotFound
from ballots.service import load_ballot
from ballots.vote_models import Vote, VoteLeaf
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


async def check_receipt(session: AsyncSession, code: str) -> ReceiptCheck:
    digest = receipts.receipt_hash(code)
    leaf = (await session.exec(select(VoteLeaf).where(VoteLeaf.receipt_hash == digest))).first()
    if leaf is None or len(receipts.normalise_code(code)) != 26:
        raise ReceiptNotFound(_("No vote has this receipt code."))
    ballot = await load_ballot(session, leaf.ballot_id)
    current = (await session.exec(select(Vote.ballot_id).where(Vote.receipt_hash == digest))).first() is not None
    status = "replaced" if not current else "counted" if ballot.status == "published" else "recorded"
    checkpoint = await latest_checkpoint(session, leaf.ballot_id)
    if leaf.tree_index is None or checkpoint is None or leaf.tree_index >= checkpoint.tree_size:
        return ReceiptCheck(leaf.ballot_id, ballot.title, status, leaf.commitment)
    leaves = await tree_leaves(session, leaf.ballot_id, checkpoint.tree_size)
    proof = [node.hex() for node in merkle.inclusion_proof(leaves, leaf.tree_index)]
    return ReceiptCheck(leaf.ballot_id, ballot.title, status, leaf.commitment, leaf.tree_index,
                        checkpoint.tree_size, checkpoint.root, proof)
