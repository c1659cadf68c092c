"""The pure hash-chain rules: canonical hashing, and the first bad sequence number on any tampering."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from voting.audit.chain import GENESIS_HASH, ChainEntry, check_data, entry_hash, verify_chain


def chain(n: int) -> list[ChainEntry]:
    entries, prev = [], GENESIS_HASH
    start = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    for seq in range(1, n + 1):
        entry = ChainEntry(seq, start + timedelta(seconds=seq), "account:a", "thing.done", f"thing:{seq}",
                           {"n": seq, "name": "Élodie"}, prev)
        entry = replace(entry, hash=entry_hash(entry))
        entries.append(entry)
        prev = entry.hash
    return entries


def test_intact_chain_verifies():
    assert verify_chain(chain(5)) == (5, None)


def test_hash_is_independent_of_key_order_and_sensitive_to_content():
    entry = chain(1)[0]
    reordered = replace(entry, data={"name": "Élodie", "n": 1})
    assert entry_hash(reordered) == entry_hash(entry)
    assert entry_hash(replace(entry, data={"n": 2, "name": "Élodie"})) != entry_hash(entry)


def test_edited_entry_is_named():
    entries = chain(5)
    entries[2] = replace(entries[2], data={"n": 99})
    count, broken = verify_chain(entries)
    assert (count, broken.seq) == (2, 3)
    assert "edited" in broken.reason


def test_deleted_entry_is_named():
    entries = chain(5)
    del entries[1]
    assert verify_chain(entries)[1].seq == 2


def test_swapped_entries_are_named():
    entries = chain(5)
    a, b = entries[1], entries[2]
    entries[1], entries[2] = replace(b, seq=2), replace(a, seq=3)
    assert verify_chain(entries)[1].seq == 2


def test_inserted_entry_is_named():
    entries = chain(4)
    forged = ChainEntry(3, entries[1].at, "x", "y", "z", {}, entries[1].hash)
    forged = replace(forged, hash=entry_hash(forged))
    renumbered = [entries[0], entries[1], forged] + [replace(e, seq=e.seq + 1) for e in entries[2:]]
    assert verify_chain(renumbered)[1].seq == 4


@pytest.mark.parametrize("data", [{"password": "x"}, {"nested": {"token": "t"}}, {"Choices": [1]}])
def test_secrets_and_choices_are_refused(data):
    with pytest.raises(ValueError):
        check_data(data)
