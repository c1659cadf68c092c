"""Keys as a key-management system holds them: rotation with a grace period after which old tokens fail, retired
private keys destroyed, private keys encrypted at rest by default, old export signatures still verifiable."""

from __future__ import annotations

import base64
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlmodel import col, select

from auth.key_rotation import rotate_key
from tests.factories import bearer, make_account
from voting.models import SigningKey

pytestmark = pytest.mark.anyio


def kid(headers: dict[str, str]) -> str:
    return jwt.get_unverified_header(headers["Authorization"].split()[1])["kid"]


async def me(client, headers: dict[str, str]) -> int:  # type: ignore[no-untyped-def]
    return (await client.get("/api/v1/auth/me", headers=headers)).status_code


async def end_grace(db_session, kid_: str) -> None:  # type: ignore[no-untyped-def]
    """Move the grace period's end into the past, as the clock would."""
    await db_session.exec(text("UPDATE signing_key SET verify_until = clock_timestamp() - interval '1 second' "
                               "WHERE kid = :kid").bindparams(kid=kid_))


async def test_old_tokens_work_during_the_grace_period_then_fail(client, db_session):
    account = await make_account(db_session)
    before = await bearer(client, account.email)
    new = await rotate_key(db_session, purpose="tokens", actor="test", grace=timedelta(hours=1))
    after = await bearer(client, account.email)
    assert kid(after) == new.kid != kid(before)
    assert await me(client, before) == 200 and await me(client, after) == 200
    await end_grace(db_session, kid(before))
    assert await me(client, before) == 401  # the app's cached ring still knows the key: the database says no
    await client._transport.app.state.reload_keys()  # type: ignore[attr-defined]
    assert await me(client, before) == 401 and await me(client, after) == 200
    published = {key["kid"]: key for key in (await client.get("/.well-known/greenballot-keys.json")).json()}
    assert published[kid(before)]["retired_at"] is not None and published[new.kid]["retired_at"] is None


async def test_no_private_key_of_a_retired_key_remains(client, db_session):
    account = await make_account(db_session)
    await bearer(client, account.email)
    await rotate_key(db_session, purpose="tokens", actor="test", grace=timedelta(0))
    await rotate_key(db_session, purpose="signing", actor="test")
    await rotate_key(db_session, purpose="signing", actor="test")
    retired = (await db_session.exec(select(SigningKey).where(col(SigningKey.retired_at).is_not(None)))).all()
    assert {row.purpose for row in retired} == {"tokens", "signing"}
    assert all(row.private_key is None for row in retired)
    assert (await db_session.exec(text("SELECT count(*) FROM signing_key WHERE retired_at IS NOT NULL "
                                       "AND private_key IS NOT NULL"))).one()[0] == 0
    with pytest.raises(Exception, match="signing_key_retired_private"):
        async with db_session.begin_nested():
            await db_session.exec(text("UPDATE signing_key SET private_key = 'x' WHERE retired_at IS NOT NULL"))


async def test_a_rotation_without_grace_ends_old_tokens_at_once_on_a_stale_process(client, db_session):
    account = await make_account(db_session)
    before = await bearer(client, account.email)
    await rotate_key(db_session, purpose="tokens", actor="test", grace=timedelta(0))
    assert await me(client, before) == 401
    assert await me(client, await bearer(client, account.email)) == 200


async def test_rotation_refuses_an_unknown_purpose_or_a_bad_grace(db_session):
    from voting.domain import DomainError

    with pytest.raises(DomainError):
        await rotate_key(db_session, purpose="coffee", actor="test")
    with pytest.raises(DomainError):
        await rotate_key(db_session, purpose="tokens", actor="test", grace=timedelta(days=30))


async def test_private_keys_are_encrypted_by_default(db_session):
    from auth.keys import KeySecretError, create_key, private_key_of

    row = await create_key(db_session, "signing")
    raw = base64.b64decode(row.private_key or "")
    assert row.encrypted and len(raw) == 12 + 32 + 16  # nonce, key, tag: not the 32 raw bytes
    assert private_key_of(row)
    with pytest.raises(KeySecretError):
        private_key_of(row, "the wrong secret")


async def test_a_key_stored_in_clear_still_loads_and_is_encrypted(db_session):
    from auth.keys import create_key, ensure_key, private_key_of

    current = await create_key(db_session, "signing")  # then stored in clear, as versions before this one did
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    await db_session.exec(text("UPDATE signing_key SET private_key = :p, encrypted = false WHERE kid = :k")
                          .bindparams(p=base64.b64encode(raw).decode(), k=current.kid))
    await db_session.exec(text("UPDATE signing_key SET public_key = :pub WHERE kid = :k").bindparams(
        pub=private.public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
        k=current.kid))
    db_session.expire_all()
    row = await ensure_key(db_session, "signing")
    assert row.encrypted and base64.b64decode(row.private_key or "") != raw
    assert private_key_of(row).private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                             serialization.NoEncryption()) == raw


async def test_a_re_enabled_account_does_not_revive_old_tokens(client, db_session):
    from auth.admin import set_active

    account = await make_account(db_session)
    old = await bearer(client, account.email)
    await set_active(db_session, actor="test", account_id=account.id, active=False)
    assert await me(client, old) == 401
    await set_active(db_session, actor="test", account_id=account.id, active=True)
    assert await me(client, old) == 401
    assert await me(client, await bearer(client, account.email)) == 200


async def test_an_export_signed_before_a_rotation_still_verifies(client, db_session):
    from tests.integration.test_results_service import SMALL, imported
    from voting.results.service import CLI_PRINCIPAL, export_files, publish_ballot, tally_ballot
    from voting.results.signing import public_keys_from_json
    from voting.results.verify import verify_export

    ballot_id = await imported(db_session, SMALL[0])
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    old = await export_files(db_session, None, ballot_id)
    new_key = await rotate_key(db_session, purpose="signing", actor="test")
    published = (await client.get("/.well-known/greenballot-keys.json")).content.decode()
    assert verify_export(old, public_keys_from_json(published)) == []
    fresh = await export_files(db_session, None, ballot_id)
    assert new_key.kid in fresh["result.json.sig"].decode()
    assert verify_export(fresh, public_keys_from_json(published)) == []


def test_a_key_encryption_secret_is_generated_into_the_data_directory(tmp_path):
    from voting.config import Settings, load_or_create_key_secret

    settings = Settings(database_url=None, data_dir=tmp_path)
    first = load_or_create_key_secret(settings)
    assert len(first) >= 48 and (tmp_path / "key-secret.key").stat().st_mode & 0o777 == 0o600
    assert load_or_create_key_secret(settings) == first
    assert load_or_create_key_secret(Settings(database_url=None, data_dir=tmp_path, key_secret="set")) == "set"


def test_keys_rotate_on_the_command_line(database_url, tmp_path):
    import asyncio

    import asyncpg

    from tests.conftest import TEST_KEY_SECRET, libpq_url
    from tests.integration.test_cli import run

    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": libpq_url(database_url), "GREENBALLOT_DATA_DIR": str(tmp_path),
           "GREENBALLOT_KEY_SECRET": TEST_KEY_SECRET}
    assert run("keys", env=env).returncode == 0
    done = run("keys", "rotate", "--purpose", "tokens", "--grace", "0", env=env)
    assert done.returncode == 0 and "stop working in 0 seconds" in done.stdout, done.stderr
    refused = run("keys", "rotate", "--purpose", "signing", "--grace", "5", env=env)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1

    async def left() -> int:
        connection = await asyncpg.connect(libpq_url(database_url))
        try:
            return await connection.fetchval("SELECT count(*) FROM signing_key WHERE retired_at IS NOT NULL AND "
                                             "(private_key IS NOT NULL OR verify_until > clock_timestamp())")
        finally:
            await connection.close()

    assert asyncio.run(left()) == 0


async def test_a_leaked_key_encryption_secret_is_replaced_by_rotating_both_keys_under_a_new_one(db_session):
    """Token MAC secrets derive from the key-encryption secret and the published key id: whoever holds the secret
    mints tokens the ring accepts, and rotating the token key under the same secret does not stop them. A new
    secret opens none of the stored keys (the ring refuses to load) until both keys are rotated under it; then
    every token made with the old secret is refused and the new ring's own tokens are accepted."""
    import uuid

    from auth.keys import KeySecretError, current_key, load_ring, private_key_of, token_secret
    from auth.tokens import KeyRing, TokenError, decode_token, issue_token
    from tests.conftest import TEST_KEY_SECRET

    old, new = TEST_KEY_SECRET, "a new key-encryption secret, after a leak"
    subject = uuid.uuid4()

    def minted(ring: KeyRing, secret: str) -> str:  # by whoever holds ``secret`` and reads the published key id
        leaked = KeyRing(ring.current_kid, {ring.current_kid: token_secret(secret, ring.current_kid)})
        return issue_token(leaked, subject, issuer="gb", audience="gb", ttl=timedelta(hours=1))[0]

    ring = await load_ring(db_session, old)
    assert decode_token(ring, minted(ring, old), issuer="gb", audience="gb").subject == subject
    await rotate_key(db_session, purpose="tokens", actor="test", secret=old, grace=timedelta(0))
    ring = await load_ring(db_session, old)
    issued = issue_token(ring, subject, issuer="gb", audience="gb", ttl=timedelta(hours=1))[0]
    assert decode_token(ring, issued, issuer="gb", audience="gb").subject == subject  # now remembered as checked
    assert decode_token(ring, minted(ring, old), issuer="gb", audience="gb").subject == subject  # still minted

    with pytest.raises(KeySecretError):
        await load_ring(db_session, new)
    await rotate_key(db_session, purpose="tokens", actor="test", secret=new, grace=timedelta(hours=1))
    await rotate_key(db_session, purpose="signing", actor="test", secret=new)
    signing = await current_key(db_session, "signing")
    assert signing is not None and private_key_of(signing, new)
    fresh = await load_ring(db_session, new)
    assert ring.current_kid in fresh.secrets  # the previous token key, inside its grace period
    for token in (minted(fresh, old), minted(ring, old), issued):  # every token the old secret made: refused
        with pytest.raises(TokenError):
            decode_token(fresh, token, issuer="gb", audience="gb")
    assert decode_token(fresh, minted(fresh, new), issuer="gb", audience="gb").subject == subject
