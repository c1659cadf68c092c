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


async def test_a_token_needs_both_the_database_and_the_key_encryption_secret(db_session):
    """A token key's MAC secret is random and stored sealed: the key-encryption secret alone (with the published
    key id) makes no token the ring accepts, nor does the database alone (it holds only the sealed bytes). A
    rotation keeps the previous key's secret through its grace period only; after the key-encryption secret is
    replaced, keys sealed under the old one are left out of the ring and their tokens refused."""
    import base64
    import secrets
    import uuid

    from cryptography.hazmat.primitives.hashes import SHA256
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    from sqlmodel import select

    from auth.keys import KeySecretError, load_ring
    from auth.tokens import KeyRing, TokenError, decode_token, issue_token
    from tests.conftest import TEST_KEY_SECRET
    from voting.models import SigningKey

    subject = uuid.uuid4()

    def minted(kid: str, key: bytes) -> str:
        return issue_token(KeyRing(kid, {kid: key}), subject, issuer="gb", audience="gb", ttl=timedelta(hours=1))[0]

    ring = await load_ring(db_session, TEST_KEY_SECRET)
    kid = ring.current_kid
    row = await db_session.get(SigningKey, kid)
    assert row is not None and row.mac_secret
    infos = (b"token-mac\x00" + kid.encode(), kid.encode(), b"")  # what a secret derived from it would use
    guesses = [HKDF(algorithm=SHA256(), length=32, salt=salt, info=info).derive(TEST_KEY_SECRET.encode())
               for salt in (b"greenballot-tokens", b"greenballot-kek", None) for info in infos]
    sealed = base64.b64decode(row.mac_secret)
    for key in [*guesses, sealed[:32], sealed[-32:], secrets.token_bytes(32)]:  # the secret alone, the dump alone
        with pytest.raises(TokenError):
            decode_token(ring, minted(kid, key), issuer="gb", audience="gb")
    assert ring.secrets[kid] not in sealed
    assert decode_token(ring, minted(kid, ring.secrets[kid]), issuer="gb", audience="gb").subject == subject

    await rotate_key(db_session, purpose="tokens", actor="test", secret=TEST_KEY_SECRET, grace=timedelta(hours=1))
    graced = await load_ring(db_session, TEST_KEY_SECRET)
    assert graced.current_kid != kid and graced.secrets[kid] == ring.secrets[kid]  # its grace period
    await rotate_key(db_session, purpose="tokens", actor="test", secret=TEST_KEY_SECRET, grace=timedelta(0))
    second = graced.current_kid
    kept = {r.kid: r.mac_secret for r in (await db_session.exec(select(SigningKey).where(
        SigningKey.purpose == "tokens"))).all()}
    assert kept[second] is None and kept[kid] is not None  # no grace: wiped at once; the first still in its own

    new = "a new key-encryption secret, after a leak"
    with pytest.raises(KeySecretError):
        await load_ring(db_session, new)  # the current key does not open under it: no start
    await rotate_key(db_session, purpose="tokens", actor="test", secret=new, grace=timedelta(hours=1))
    fresh = await load_ring(db_session, new)
    assert kid not in fresh.secrets and len(fresh.secrets) == 1  # sealed under the old secret: left out
    with pytest.raises(TokenError):
        decode_token(fresh, minted(kid, ring.secrets[kid]), issuer="gb", audience="gb")
    assert decode_token(fresh, minted(fresh.current_kid, fresh.secrets[fresh.current_kid]), issuer="gb",
                        audience="gb").subject == subject
