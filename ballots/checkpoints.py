"""Signed checkpoints of a ballot's vote log: sequence new leaves, fold them into a Merkle root, sign it."""

from __future__ import annotations

import base64

import rfc8785
from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.keys import ensure_key, private_key_of
from ballots import merkle
from ballots.vote_models import VoteCheckpoint, VoteLeaf
from voting.audit.service import record

__all__ = ["make_checkpoint", "latest_checkpoint", "tree_leaves",
           "checkpoint_message", "CHECKPOINT_LOCK"]

CHECKPOINT_LOCK = 0x67620B  # with the ballot id: one sequencer per ballot; votes never take it

_SEQUENCE = text("""
WITH base AS (SELECT coalesce(max(tree_index) + 1, 0) AS n FROM vote_leaf WHERE ballot_id = :b),
     todo AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS r FROM vote_leaf
              WHERE ballot_id = :b AND tree_index IS NULL)
UPDATE vote_leaf SET tree_index = base.n + todo.r FROM base, todo WHERE vote_leaf.id = todo.id
""")


def checkpoint_message(ballot_id: int, tree_size: int, root_hex: str) -> bytes:
    return rfc8785.dumps({"ballot": ballot_id, "root": root_hex, "tree_size": tree_size})


async def tree_leaves(session: AsyncSession, ballot_id: int, size: int | None = None) -> list[bytes]:
    query = select(VoteLeaf.leaf_hash).where(VoteLeaf.ballot_id == ballot_id, col(VoteLeaf.tree_index).is_not(None))
    if size is not None:
        query = query.where(col(VoteLeaf.tree_index) < size)
    return list((await session.exec(query.order_by(col(VoteLeaf.tree_index)))).all())


async def latest_checkpoint(session: AsyncSession, ballot_id: int) -> VoteCheckpoint | None:
    return (await session.exec(select(VoteCheckpoint).where(VoteCheckpoint.ballot_id == ballot_id)
                               .order_by(col(VoteCheckpoint.tree_size).desc()).limit(1))).first()


async def make_checkpoint(session: AsyncSession, ballot_id: int, *, actor: str,
                          key_secret: str | None = None) -> VoteCheckpoint:
    """Give committed unsequenced leaves the next tree indexes and sign the new root (or return the last one)."""
    await session.exec(text("SELECT pg_advisory_xact_lock(:lock, :b)")  # type: ignore[call-overload]
                       .bindparams(lock=CHECKPOINT_LOCK, b=ballot_id))
    await session.exec(_SEQUENCE.bindparams(b=ballot_id))  # type: ignore[call-overload]
    leaves = await tree_leaves(session, ballot_id)
    last = await latest_checkpoint(session, ballot_id)
    if last is not None and last.tree_size == len(leaves):
        return last
    root_hex = merkle.root(leaves).hex()
    key = await ensure_key(session, "signing", key_secret)
    signature = private_key_of(key, key_secret).sign(checkpoint_message(ballot_id, len(leaves), root_hex))
    checkpoint = VoteCheckpoint(ballot_id=ballot_id, tree_size=len(leaves), root=root_hex, kid=key.kid,
                                signature=base64.b64encode(signature).decode())
    session.add(checkpoint)
    await session.flush()
    await record(session, actor=actor, action="ballot.checkpoint", subject=f"ballot:{ballot_id}",
                 data={"tree_size": len(leaves), "root": root_hex, "kid": key.kid})
    return checkpoint
