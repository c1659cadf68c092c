"""Read caches: a published result's page is built once per result digest, language and city style; an
unpublished one is built each time."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import text

from tests.factories import browser_login, make_account
from tests.integration.test_results_service import SMALL, imported
from voting.results.cache import result_views
from voting.results.service import CLI_PRINCIPAL, publish_ballot, tally_ballot

pytestmark = pytest.mark.anyio


async def _rename_first_project(db_session, ballot_id: int, name: str) -> None:  # type: ignore[no-untyped-def]
    """Change the stored document's text without changing its recorded digest (what the cache is keyed by)."""
    await db_session.exec(text(  # type: ignore[call-overload]
        "UPDATE ballot_result SET document = regexp_replace(document, '\"name\":\"[^\"]*\"', :n) WHERE ballot_id = :b"
    ).bindparams(n=f'"name":"{name}"', b=ballot_id))


async def test_a_published_result_page_is_built_once_per_digest_and_language(client, db_session):
    ballot_id = await imported(db_session, SMALL[1])
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    auditor = await make_account(db_session, "auditor")
    await browser_login(client, auditor.email)
    await _rename_first_project(db_session, ballot_id, "Before publication")
    assert "Before publication" in (await client.get(f"/ballots/{ballot_id}/results")).text
    await _rename_first_project(db_session, ballot_id, "Still unpublished")
    assert "Still unpublished" in (await client.get(f"/ballots/{ballot_id}/results")).text  # not cached

    await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    before = len(result_views)
    first = await client.get(f"/ballots/{ballot_id}/results")
    assert "Still unpublished" in first.text and len(result_views) == before + 1
    await _rename_first_project(db_session, ballot_id, "Changed behind the digest")
    again = await client.get(f"/ballots/{ballot_id}/results")
    assert "Changed behind the digest" not in again.text and "Still unpublished" in again.text  # built once
    french = await client.get(f"/ballots/{ballot_id}/results", headers={"accept-language": "fr"})
    assert "Projets financés" in french.text and len(result_views) == before + 2  # one entry per language
    await db_session.exec(text(  # type: ignore[call-overload]
        "UPDATE ballot_result SET document_sha256 = repeat('0', 64) WHERE ballot_id = :b").bindparams(b=ballot_id))
    assert "Changed behind the digest" in (await client.get(f"/ballots/{ballot_id}/results")).text  # new digest


async def _until(condition, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    import anyio

    with anyio.fail_after(seconds):
        while not condition():  # noqa: ASYNC110 - the condition is set by another task, not an event
            await anyio.sleep(0.02)


async def test_reference_data_committed_by_another_connection_clears_the_cache(database_url):
    import asyncio
    import uuid

    import asyncpg

    from tests.conftest import libpq_url
    from voting.reference import ReferenceCache, listen

    cache = ReferenceCache()
    other = await asyncpg.connect(libpq_url(database_url))
    listener = asyncio.create_task(listen(database_url, cache, retry_seconds=0.05))
    slug = f"hood-{uuid.uuid4().hex[:8]}"
    loads: list[int] = []

    async def names() -> set[str]:
        loads.append(1)
        return {row[0] for row in await other.fetch("SELECT slug FROM neighbourhood WHERE retired_at IS NULL")}

    try:
        assert (await cache.get_or_load("hoods", names)) == await names() and len(loads) == 2  # not listening yet
        await _until(lambda: cache.listening)
        first = await cache.get_or_load("hoods", names)
        assert await cache.get_or_load("hoods", names) is first and len(loads) == 3  # read once while listening
        cleared = cache.cleared
        await other.execute("INSERT INTO neighbourhood (slug, name_fr, name_en) VALUES ($1, 'A', 'A')", slug)
        assert slug in {row[0] for row in await other.fetch("SELECT slug FROM neighbourhood")}
        await _until(lambda: cache.cleared > cleared)  # the committed insert was announced
        assert slug in await cache.get_or_load("hoods", names)
        for statement in ("UPDATE category SET name_en = name_en",
                          "INSERT INTO setting (key, value) VALUES ('reference-test', '1'::jsonb)",
                          "DELETE FROM setting WHERE key = 'reference-test'",
                          "UPDATE ballot SET title = title WHERE false",  # statement triggers: even no row
                          "UPDATE process_phase SET phase = phase WHERE false"):
            cleared = cache.cleared
            await other.execute(statement)
            await _until(lambda: cache.cleared > cleared)  # noqa: B023 - read at once
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await other.execute("DELETE FROM neighbourhood WHERE slug = $1", slug)
        await other.close()
    assert not cache.listening


async def test_a_rolled_back_change_notifies_nobody(database_url):
    import asyncio

    import anyio
    import asyncpg

    from tests.conftest import libpq_url
    from voting.reference import ReferenceCache, listen

    cache = ReferenceCache()
    other = await asyncpg.connect(libpq_url(database_url))
    listener = asyncio.create_task(listen(database_url, cache, retry_seconds=0.05))
    try:
        await _until(lambda: cache.listening)
        cleared = cache.cleared
        transaction = other.transaction()
        await transaction.start()
        await other.execute("UPDATE category SET name_en = name_en")
        await transaction.rollback()
        await anyio.sleep(0.5)
        assert cache.cleared == cleared
    finally:
        listener.cancel()
        await other.close()


async def test_the_read_session_sends_no_begin(engine):
    from litestar.datastructures import State

    from voting.database import make_session_maker, provide_db_session, provide_read_session

    state = State({"session_maker": make_session_maker(engine),
                   "read_session_maker": make_session_maker(engine.execution_options(isolation_level="AUTOCOMMIT"))})
    now = text("SELECT now()")  # the transaction's start: it moves between statements only without a transaction
    providers = ((lambda: provide_read_session(state, None), True),  # type: ignore[arg-type] # no replica: unused
                 (lambda: provide_db_session(state), False))
    for provider, own_transaction in providers:
        sessions = provider()
        session = await sessions.__anext__()
        first = (await session.exec(now)).one()[0]  # type: ignore[call-overload]
        await session.exec(text("SELECT pg_sleep(0.02)"))  # type: ignore[call-overload]
        assert ((await session.exec(now)).one()[0] > first) is own_transaction  # type: ignore[call-overload]
        await sessions.aclose()


async def test_the_home_page_reads_reference_data_once_while_listening(engine, database_url):
    import asyncio
    import uuid

    import asyncpg

    from tests.conftest import libpq_url
    from voting.city import home_calendar, home_overview
    from voting.database import make_session_maker
    from voting.reference import listen, reference

    sessions = make_session_maker(engine)
    other = await asyncpg.connect(libpq_url(database_url))
    listener = asyncio.create_task(listen(database_url, reference, retry_seconds=0.05))
    slug = f"hood-{uuid.uuid4().hex[:8]}"
    try:
        await _until(lambda: reference.listening)
        async with sessions() as session:
            first = await home_overview(session)
            await home_calendar(session, None)
        async with sessions() as session:
            again = await home_overview(session)
            assert again.neighbourhoods is first.neighbourhoods  # from the cache, not the database
        cleared = reference.cleared
        await other.execute("INSERT INTO neighbourhood (slug, name_fr, name_en) VALUES ($1, 'B', 'B')", slug)
        await _until(lambda: reference.cleared > cleared)
        async with sessions() as session:
            assert slug in {hood.slug for hood in (await home_overview(session)).neighbourhoods}
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await other.execute("DELETE FROM neighbourhood WHERE slug = $1", slug)
        await other.close()
    assert not reference.listening  # the cache is off again for the other tests


async def test_an_anonymous_results_page_is_rendered_once(client, db_session):
    ballot_id = await imported(db_session, SMALL[0])
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    first = await client.get(f"/ballots/{ballot_id}/results")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    assert "Log in" in first.text and "<svg" in first.text
    await _rename_first_project(db_session, ballot_id, "Renamed behind the digest")
    again = await client.get(f"/ballots/{ballot_id}/results")
    assert again.text == first.text  # the rendered page was kept
    french = await client.get(f"/ballots/{ballot_id}/results", headers={"accept-language": "fr"})
    assert '<html lang="fr">' in french.text and french.text != first.text  # kept per language
    resident = await make_account(db_session)
    await browser_login(client, resident.email)
    mine = await client.get(f"/ballots/{ballot_id}/results")
    assert "Log out" in mine.text and resident.display_name in mine.text  # a viewer's own page, not the kept one
