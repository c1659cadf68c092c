"""Receipt codes carry 128 random bits; commitments bind the ballot, the content and the receipt."""

from __future__ import annotations

import base64

from ballots import receipts


def test_receipt_code_is_128_random_bits_in_base32():
    code = receipts.new_receipt_code()
    raw = receipts.normalise_code(code)
    assert len(raw) == 26
    assert len(base64.b32decode(raw + "======")) == 16
    assert code != receipts.new_receipt_code()


def test_receipt_hash_ignores_case_and_dashes():
    code = receipts.new_receipt_code()
    assert receipts.receipt_hash(code) == receipts.receipt_hash(code.lower().replace("-", " "))


def test_commitment_binds_ballot_content_and_nonce():
    code = receipts.new_receipt_code()
    base = receipts.commitment(1, {"projects": [1, 2]}, code)
    assert base == receipts.commitment(1, {"projects": [1, 2]}, code)
    assert base != receipts.commitment(2, {"projects": [1, 2]}, code)
    assert base != receipts.commitment(1, {"projects": [1, 3]}, code)
    assert base != receipts.commitment(1, {"projects": [1, 2]}, receipts.new_receipt_code())


def test_slots_depend_on_the_ballot_secret():
    assert receipts.voter_slot(b"k1", "a:x") != receipts.voter_slot(b"k2", "a:x")
    assert receipts.voter_slot(b"k1", "a:x") == receipts.voter_slot(b"k1", "a:x")
