"""Key rotation: new tokens use the new key id, old tokens stay valid until they expire, old keys stay published."""

from __future__ import annotations

import jwt
import pytest

from auth.keys import rotate_key
from tests.factories import bearer, make_account

pytestmark = pytest.mark.anyio


def kid(headers: dict[str, str]) -> str:
    return jwt.get_unverified_header(headers["Authorization"].split()[1])["kid"]


async def test_rotation_keeps_old_tokens_and_signs_new_ones_with_the_new_key(client, db_session):
    account = await make_account(db_session)
    before = await bearer(client, account.email)
    new = await rotate_key(db_session, purpose="tokens", secret=None, actor="test")
    after = await bearer(client, account.email)
    assert kid(after) == new.kid != kid(before)
    for headers in (before, after):
        assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    published = {key["kid"]: key for key in (await client.get("/.well-known/greenballot-keys.json")).json()}
    assert published[kid(before)]["retired_at"] is not None and published[new.kid]["retired_at"] is None


async def test_rotation_of_an_unknown_purpose_is_refused(db_session):
    from voting.domain import DomainError

    with pytest.raises(DomainError):
        await rotate_key(db_session, purpose="coffee", secret=None, actor="test")


async def test_encrypted_keys_need_the_secret(db_session):
    from auth.keys import KeySecretError, create_key, private_key_of

    row = await create_key(db_session, "signing", "a key-encryption secret")
    assert row.encrypted and "PRIVATE" not in row.private_key
    assert private_key_of(row, "a key-encryption secret")
    with pytest.raises(KeySecretError):
        private_key_of(row, None)
    with pytest.raises(KeySecretError):
        private_key_of(row, "the wrong secret")


async def test_an_export_signed_before_a_rotation_still_verifies(client, db_session):
    from tests.integration.test_results_service import SMALL, imported
    from voting.results.service import CLI_PRINCIPAL, export_files, publish_ballot, tally_ballot
    from voting.results.signing import public_keys_from_json
    from voting.results.verify import verify_export

    ballot_id = await imported(db_session, SMALL[0])
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    old = await export_files(db_session, None, ballot_id)
    new_key = await rotate_key(db_session, purpose="signing", secret=None, actor="test")
    published = (await client.get("/.well-known/greenballot-keys.json")).content.decode()
    assert verify_export(old, public_keys_from_json(published)) == []
    fresh = await export_files(db_session, None, ballot_id)
    assert new_key.kid in fresh["result.json.sig"].decode()
    assert verify_export(fresh, public_keys_from_json(published)) == []
