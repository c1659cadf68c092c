"""Receipt codes carry 128 random bits; commitments bind the ballot, the content and the receipt."""

from __future__ import annotations

import base64

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

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


_json = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20)


def _outcome(encode, value):  # type: ignore[no-untyped-def]
    try:
        return encode(value)
    except Exception as error:  # noqa: BLE001 - rfc8785 refuses some integers: so must we
        return type(error)


@given(_json)
def test_canonical_json_is_rfc8785_whatever_the_value(value):
    assert _outcome(receipts.canonical_json, value) == _outcome(rfc8785.dumps, value)


@pytest.mark.parametrize("value", [
    {"b": 1, "a": [3, 1, 2]}, {"k": "quote\\" + '"' + "\n\t\x01\x7f/"}, {"big": 2**53 - 1}, {"neg": -(2**53) + 1},
    {"t": True, "f": False, "n": None}, {"points": {"10": 3, "9": 1}}, [],
])
def test_canonical_json_quick_path_agrees_with_rfc8785(value):
    assert receipts._plain(value)
    assert receipts.canonical_json(value) == rfc8785.dumps(value)


def test_canonical_json_leaves_floats_large_integers_and_other_scripts_to_rfc8785():
    for value in ({"x": 1.5}, {"x": 2**53}, {"é": 1}, {"x": "😀"}):
        assert not receipts._plain(value)
        assert _outcome(receipts.canonical_json, value) == _outcome(rfc8785.dumps, value)


def test_a_receipt_code_from_given_random_bytes_spells_them_and_takes_exactly_sixteen():
    drawn = bytes(range(16))
    code = receipts.new_receipt_code(drawn)
    assert code == receipts.new_receipt_code(drawn)
    assert base64.b32decode(code.replace("-", "") + "======") == drawn
    for wrong in (b"", bytes(15), bytes(17)):
        with pytest.raises(ValueError):
            receipts.new_receipt_code(wrong)
