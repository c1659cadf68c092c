"""RFC 6962 Merkle trees: known roots, and every inclusion proof verifies (and no wrong one does)."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from ballots import merkle


def test_known_roots_of_small_trees():
    a, b, c = (merkle.leaf_hash(x) for x in (b"a", b"b", b"c"))
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert merkle.root([a]) == a
    assert merkle.root([a, b]) == merkle.node_hash(a, b)
    assert merkle.root([a, b, c]) == merkle.node_hash(merkle.node_hash(a, b), c)
    assert merkle.leaf_hash(b"") == bytes.fromhex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")


@given(st.lists(st.binary(max_size=8), min_size=1, max_size=40), st.data())
def test_every_inclusion_proof_verifies(data, draw):
    leaves = [merkle.leaf_hash(item) for item in data]
    index = draw.draw(st.integers(0, len(leaves) - 1))
    proof = merkle.inclusion_proof(leaves, index)
    top = merkle.root(leaves)
    assert merkle.verify_inclusion(leaves[index], index, len(leaves), proof, top)
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"forged"), index, len(leaves), proof, top)
    if len(leaves) > 1:
        assert not merkle.verify_inclusion(leaves[index], (index + 1) % len(leaves), len(leaves), proof, top) or \
            leaves[index] == leaves[(index + 1) % len(leaves)]


def test_index_outside_the_tree():
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"a"), 3, 2, [], merkle.EMPTY_ROOT)
