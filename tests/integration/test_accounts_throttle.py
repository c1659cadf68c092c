"""Login throttling that attackers cannot turn against owners, counted atomically, behind trusted proxies only."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import select

from auth.ratelimit import LoginLimits
from tests.conftest import create_database, drop_database, served_app
from tests.factories import PASSWORD, make_account
from voting.database import make_engine, make_session_maker
from voting.models import AuditEntry

pytestmark = pytest.mark.anyio


def client_at(app, address: str) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=(address, 4000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers={"accept-language": "en"})


async def token(http: httpx.AsyncClient, email: str, password: str, **headers: str) -> httpx.Response:
    return await http.post("/api/v1/auth/token", json={"email": email, "password": password}, headers=headers)


async def test_someone_elses_failures_do_not_lock_the_owner_out(app, client, db_session):
    account = await make_account(db_session)
    for _ in range(5):
        assert (await token(client, account.email, "wrong-password")).status_code == 401
    blocked = await token(client, account.email, PASSWORD)
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    async with client_at(app, "198.51.100.20") as owner:
        assert (await token(owner, account.email, PASSWORD)).status_code == 200
        assert (await token(owner, account.email, "one-typo-here")).status_code == 401
        assert (await token(owner, account.email, PASSWORD)).status_code == 200  # a success takes the count back


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing(client, db_session):
    account = await make_account(db_session)
    for n in range(5):
        answer = await token(client, account.email, "wrong-password", **{"x-forwarded-for": f"192.0.2.{n}"})
        assert answer.status_code == 401
    assert (await token(client, account.email, PASSWORD, **{"x-forwarded-for": "192.0.2.99"})).status_code == 429
    actors = (await db_session.exec(select(AuditEntry.actor).where(
        AuditEntry.action == "auth.login_failed", AuditEntry.subject == f"account:{account.id}"))).all()
    assert set(actors) == {"client:203.0.113.7"}


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_count(test_settings, session_maker,
                                                                              db_session):
    from voting.app import create_app

    account = await make_account(db_session)
    app = create_app(dataclasses.replace(test_settings, trusted_proxies="203.0.113.0/24"), session_maker=session_maker)
    async with app.lifespan(), client_at(app, "203.0.113.7") as proxy:
        for _ in range(5):
            assert (await token(proxy, account.email, "wrong-password", **{"x-forwarded-for": "192.0.2.1"})
                    ).status_code == 401
        assert (await token(proxy, account.email, PASSWORD, **{"x-forwarded-for": "192.0.2.1"})).status_code == 429
        fine = await token(proxy, account.email, PASSWORD, **{"x-forwarded-for": "6.6.6.6, 192.0.2.2"})
        assert fine.status_code == 200


@pytest.fixture(scope="module")
def committed_url(pg_server_url: str) -> Iterator[str]:
    """A database of its own: the parallel attempts commit, from many connections at once."""
    url = create_database(pg_server_url, "gb_throttle")
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture
async def live_app(committed_url: str, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    async with served_app(committed_url, tmp_path, client=("198.51.100.9", 4000), http_timeout=120) as (_app, http):
        yield http


async def test_40_parallel_wrong_passwords_are_checked_at_most_5_times(live_app, committed_url):
    engine = make_engine(committed_url, pool_size=1)
    async with make_session_maker(engine)() as session:
        account = await make_account(session)
        await session.commit()
    answers = await asyncio.gather(*(token(live_app, account.email, f"guess-number-{n}") for n in range(40)))
    async with engine.connect() as connection:
        checked = (await connection.execute(text(
            "SELECT count(*) FROM audit_entry WHERE action = 'auth.login_failed' AND subject = :s"),
            {"s": f"account:{account.id}"})).scalar_one()
    await engine.dispose()
    statuses = sorted(answer.status_code for answer in answers)
    assert checked <= 5 and statuses.count(401) == checked, statuses
    assert statuses.count(429) == 40 - checked and all(s in (401, 429) for s in statuses)


async def test_known_and_unknown_addresses_cost_the_same_password_work(client, db_session, monkeypatch):
    """No enumeration by timing: each login checks one password (a dummy hash when there is no account), and
    registering a taken address hashes the password as a new account would."""
    import auth.registration
    import auth.service
    from tests.factories import make_neighbourhood

    checks: list[bool] = []
    hashes: list[str] = []
    real_verify, real_hash = auth.service.verify_password_async, auth.service.hash_password_async

    async def verify(password_hash, password):  # type: ignore[no-untyped-def]
        checks.append(password_hash is None)
        return await real_verify(password_hash, password)

    def hashing(where: str):  # type: ignore[no-untyped-def]
        async def hash_password(password):  # type: ignore[no-untyped-def]
            hashes.append(where)
            return await real_hash(password)
        return hash_password

    monkeypatch.setattr(auth.service, "verify_password_async", verify)
    monkeypatch.setattr(auth.service, "hash_password_async", hashing("new account"))
    monkeypatch.setattr(auth.registration, "hash_password_async", hashing("taken address"))
    account = await make_account(db_session)
    hashes.clear()
    known = await token(client, account.email, "wrong-password")
    unknown = await token(client, "nobody-at-all@example.org", "wrong-password")
    assert known.json()["detail"] == unknown.json()["detail"] and checks == [False, True]

    hood = await make_neighbourhood(db_session)
    form = {"password": PASSWORD, "display_name": "X", "neighbourhood": hood.slug, "birth_date": "1990-01-01"}
    taken = await client.post("/api/v1/auth/register", json={**form, "email": account.email})
    fresh = await client.post("/api/v1/auth/register", json={**form, "email": "brand.new.person@example.org"})
    assert taken.status_code == fresh.status_code == 201 and hashes == ["taken address", "new account"]


async def test_waits_grow_then_a_quiet_hour_starts_the_count_over(db_session):
    from datetime import UTC, datetime, timedelta

    from auth.models import Throttle
    from auth.ratelimit import Counter
    from auth.throttle import Blocked, reserve

    limits, key, start = LoginLimits(), "login-pair:test|192.0.2.1", datetime.now(UTC)
    counter = [Counter(key, limits.free_per_pair)]

    async def attempt(at):  # type: ignore[no-untyped-def]
        await reserve(db_session, counter, first=limits.first_delay, cap=limits.max_delay,
                      forget_after=limits.forget_after, now=at)

    for n in range(5):
        await attempt(start + timedelta(seconds=n))
    with pytest.raises(Blocked) as blocked:
        await attempt(start + timedelta(seconds=5))
    assert blocked.value.seconds == 29  # 30 s after the 5th failure, 1 s of it gone
    await attempt(start + timedelta(seconds=34))  # the 6th, once the wait is over: now 60 s
    with pytest.raises(Blocked) as blocked:
        await attempt(start + timedelta(seconds=35))
    assert blocked.value.seconds == 59
    await attempt(start + timedelta(seconds=34) + limits.forget_after)
    row = await db_session.get(Throttle, key)
    assert row is not None and row.failures == 1


async def test_counters_nobody_came_back_to_are_pruned(db_session, monkeypatch):
    from datetime import UTC, datetime, timedelta

    import auth.throttle
    from auth.models import Throttle
    from auth.ratelimit import Counter

    old = datetime.now(UTC) - timedelta(days=2)
    db_session.add(Throttle(key="login-client:192.0.2.200", failures=3, last_failure_at=old, next_allowed_at=old))
    await db_session.flush()
    monkeypatch.setattr(auth.throttle, "PRUNE_ONE_IN", 1)
    limits = LoginLimits()
    await auth.throttle.reserve(db_session, [Counter("login-client:192.0.2.201", 20)], first=limits.first_delay,
                                cap=limits.max_delay, forget_after=limits.forget_after)
    db_session.expunge_all()
    assert await db_session.get(Throttle, "login-client:192.0.2.200") is None
    assert await db_session.get(Throttle, "login-client:192.0.2.201") is not None
