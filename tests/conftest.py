"""Test harness: a real PostgreSQL (TEST_DATABASE_URL, else an embedded server), one fresh database per run.

Integration tests get a connection inside a transaction that is rolled back after each test; the app and the
test share it through savepoints (``join_transaction_mode="create_savepoint"``).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ballots.box import configure_box_secret
from voting.config import Settings
from voting.database import asyncpg_url, embedded_database_url, make_engine, make_session_maker

ROOT = Path(__file__).resolve().parents[1]
configure_box_secret("greenballot test instance secret")  # one secret for every app and service in this process
TEST_KEY_SECRET = "greenballot test key-encryption secret"
"""Every process of the test run shares one database, so one key-encryption secret (as every host of a cluster)."""
os.environ.setdefault("GREENBALLOT_KEY_SECRET", TEST_KEY_SECRET)
# argon2id at its cheapest in tests (and in the servers they start): the thousand logins of the suite cost
# milliseconds; what is tested (verification, throttles, timing-safe refusals) is the same code.
os.environ.setdefault("GREENBALLOT_INSECURE_FAST_PASSWORD_HASHING", "1")
T = TypeVar("T")


def libpq_url(url: str) -> str:
    """``postgresql+asyncpg://`` back to the ``postgresql://`` form asyncpg and the CLI take."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database (keeps ``?host=`` for unix sockets)."""
    head, sep, query = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}{sep}{query}"


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(libpq_url(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def in_thread(function: Callable[..., T], *args: object) -> T:
    """Run blocking set-up that itself calls ``asyncio.run`` off any event loop (Playwright runs one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


_TEMPLATES: dict[str, str] = {}
"""Per server: a database this process migrated once, which every database it creates then copies."""
_TEMPLATE_LOCK = threading.Lock()


def _drop_template(server_url: str, name: str) -> None:
    with contextlib.suppress(Exception):  # the server may be gone already (a test that killed its own)
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _template(server_url: str, stale: str | None = None) -> str:
    """The migrated template on ``server_url``, made on first use (again if ``stale`` is the one that vanished)."""
    from voting.migrate import upgrade

    with _TEMPLATE_LOCK:
        name = _TEMPLATES.get(server_url)
        if name is None or name == stale:
            name = f"gb_template_{uuid.uuid4().hex[:10]}"
            asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
            upgrade(with_database(server_url, name))
            _TEMPLATES[server_url] = name
            atexit.register(_drop_template, server_url, name)
        return name


def _create(server_url: str, prefix: str) -> str:
    """A fresh database at the head of the migrations: a copy of this process's migrated template (CREATE DATABASE
    ... TEMPLATE copies the schema, its triggers and seed rows in a tenth of a second; running the migrations for
    each of the suite's databases took a second or more each)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    template = _template(server_url)
    try:
        asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    except asyncpg.InvalidCatalogNameError:  # a server restarted on a fresh data directory at the same address
        asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{_template(server_url, template)}"'))
    return with_database(server_url, name)


def create_database(server_url: str, prefix: str = "gb_test") -> str:
    """Create a uniquely named, migrated database on the test server and return its URL."""
    return in_thread(_create, server_url, prefix)


def drop_database(server_url: str, url: str) -> None:
    name = url.partition("?")[0].rsplit("/", 1)[1]
    in_thread(asyncio.run, _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


HEAVY = "GREENBALLOT_RUN_HEAVY"
"""Set to run the tests marked ``heavy`` (oracle and property runs of 14 s to a minute each: Świecie's round trip,
the two Add1 properties with the most examples, instant-runoff against pref_voting, pabulib-checker's Add1 on the
Mechanical Turk file), which .ci/run runs in a step of their own on every submission and README's test command leaves
out (each says so as a skip)."""

FILE_SECONDS = {
    "web/test_every_page.py": 169,
    "web/test_browser_residents.py": 53,
    "integration/test_serve_worker.py": 42,
    "integration/test_results_cli.py": 42,
    "integration/test_mail_crash.py": 41,
    "integration/test_audit_log.py": 41,
    "integration/test_cli.py": 37,
    "unit/tally/test_tally_differential.py": 35,
    "web/test_browser_comments.py": 35,
    "integration/test_close_barrier.py": 30,
    "web/test_browser_maps.py": 20,
    "integration/test_database_outage.py": 20,
    "integration/test_vote_lane.py": 20,
    "integration/test_results_fidelity.py": 18,
    "web/test_browser_xss.py": 18,
    "web/test_browser_proposals.py": 15,
    "web/test_browser_vote_screen.py": 14,
    "integration/test_replica.py": 13,
    "integration/test_census_cli.py": 12,
    "integration/test_backup_restore.py": 11,
    "web/test_browser_results.py": 11,
    "web/test_browser_followup.py": 8,
    "integration/test_pgbouncer.py": 8,
    "unit/tally/test_tally_add1.py": 8,
    "web/test_browser_admin.py": 8,
    "integration/test_roll_bulk.py": 7,
    "integration/test_ballot_groups.py": 7,
    "unit/tally/test_tally_equalshares.py": 7,
    "unit/tally/test_tally_constraints.py": 7,
    "web/test_browser_ballot_form.py": 6,
    "integration/test_keys.py": 6,
    "web/test_browser_shell.py": 6,
    "unit/tally/test_pabulib_fuzz.py": 6,
}
"""Seconds each test file took (``--durations=0``, 2026-12-02, README's command on a quiet 2-core machine; files under
5 s left out).
With ``-n 2 --dist loadfile`` the files are handed out in this order, longest first, so that the run does not end
with one worker on the longest file while the other idles (xdist's own order, by number of tests, put
test_every_page.py last: four of a 17-minute run's minutes were one worker alone)."""


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist: keep the order pytest_collection_modifyitems makes
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not (os.environ.get(HEAVY) or "heavy" in (config.getoption("-m") or "")):
        skip = pytest.mark.skip(reason=f"heavy: run by .ci/run, or here with {HEAVY}=1")
        for item in items:
            if "heavy" in item.keywords:
                item.add_marker(skip)

    def weight(item: pytest.Item) -> int:
        return -FILE_SECONDS.get(item.nodeid.split("::", 1)[0].removeprefix("tests/"), 0)
    items.sort(key=weight)  # stable: the tests of a file keep their order


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The server tests run on: TEST_DATABASE_URL when set, else an embedded PostgreSQL for this run."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return asyncpg_url(configured)
    # Not under pytest's basetemp: a concurrent pytest run may prune that while this server still runs.
    folder = Path(tempfile.mkdtemp(prefix="greenballot-test-pg-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # runs after the server's own stop hook
    return embedded_database_url(folder)


@pytest.fixture(scope="session")
def database_url(pg_server_url: str) -> Iterator[str]:
    url = create_database(pg_server_url)
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path_factory.mktemp("data"), secret="test-secret",
                    key_secret=TEST_KEY_SECRET)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def session_maker(db_connection: AsyncConnection):  # type: ignore[no-untyped-def]
    return make_session_maker(db_connection, join_transaction_mode="create_savepoint")


@pytest.fixture
async def db_session(session_maker):  # type: ignore[no-untyped-def]
    async with session_maker() as session:
        yield session


class _TestMaker:
    """The session maker a shared test app is built with: the running test's own (``target``)."""

    target: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.target(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


_APPS: dict[int, tuple[Any, _TestMaker]] = {}
"""One app per settings and process: building one (its routes, signatures and schemas) took 0.2-0.45 s, and
hundreds of tests each built their own. Each test still gets a fresh ``state``, its own session maker and its own
lifespan, as a new app would."""


@pytest.fixture
async def app(test_settings: Settings, session_maker):  # type: ignore[no-untyped-def]
    from litestar.datastructures import State

    from voting.app import configure_secrets, create_app

    built = _APPS.get(id(test_settings))
    if built is None:
        maker = _TestMaker()
        built = _APPS[id(test_settings)] = (create_app(test_settings, session_maker=maker), maker)  # type: ignore[arg-type]
    application, maker = built
    configure_secrets(test_settings)  # as create_app does: another test's app may have set others since
    maker.target = session_maker
    application.state = State({"settings": test_settings})
    async with application.lifespan():
        application.state.session_maker = session_maker  # the test's own: caches keyed by it start empty
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
    # English by default so assertions read naturally; French is tested by sending Accept-Language: fr.
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                 headers={"accept-language": "en"}) as http:
        yield http


@asynccontextmanager
async def served_app(url: str, data_dir: Path, *, client: tuple[str, int] = ("198.51.100.30", 4000),
                     http_timeout: float = 60, language: str | None = None,
                     ) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """One server process's app on a committed database at ``url`` (its own engine, pools, listener and lifespan,
    as ``serve`` runs it), driven over ASGI by a client at ``client``; ``language`` sets Accept-Language."""
    from voting.app import create_app

    app = create_app(Settings(database_url=url, data_dir=data_dir, secret="s", key_secret=TEST_KEY_SECRET))
    async with app.lifespan():
        headers = {"accept-language": language} if language else {}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=client),
                                     base_url="http://testserver", timeout=http_timeout, headers=headers) as http:
            yield app, http


@pytest.fixture
def committed_url(pg_server_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of the test's own, for an app that commits (named after the module's ``DATABASE_PREFIX``)."""
    url = create_database(pg_server_url, getattr(request.module, "DATABASE_PREFIX", "gb_committed"))
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture
async def served(committed_url: str, tmp_path: Path,
                 request: pytest.FixtureRequest) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """``served_app`` on ``committed_url``, in the module's ``LANGUAGE`` (English unless it says otherwise)."""
    async with served_app(committed_url, tmp_path, language=getattr(request.module, "LANGUAGE", "en")) as (app, http):
        yield app, http


async def count_rows(url: str, sql: str) -> int:
    """The integer ``sql`` returns, read on a connection of its own (what is committed, not a test's session)."""
    connection = await asyncpg.connect(libpq_url(url))
    try:
        return int(await connection.fetchval(sql))
    finally:
        await connection.close()


def bearer_for(app: Any, account: Any) -> dict[str, str]:
    """An Authorization header for ``account``, signed with ``app``'s current key (what logging in would give)."""
    from auth.service import issue_for

    settings = app.state.settings
    issued = issue_for(app.state.key_ring, account, issuer=settings.issuer, audience=settings.audience,
                       ttl_seconds=3600)
    return {"Authorization": f"Bearer {issued.token}"}
