"""Grouped ballots: a group made over the API (422s with reasons), "own district plus one" enforced in the vote's
transaction (409 naming the rule), and two parallel votes of one voter never exceeding it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from auth.principal import Principal
from ballots.groups.models import BallotGroupVoter
from tests.ballot_factories import make_open_ballot, make_voter
from tests.conftest import create_database, drop_database
from tests.factories import bearer, make_account, make_neighbourhood

pytestmark = pytest.mark.anyio
EN, FR = {"accept-language": "en"}, {"accept-language": "fr"}


async def districts(session, count: int = 3):  # type: ignore[no-untyped-def]
    """``count`` district ballots (drafts, open to every resident) and a city-wide one, by an admin."""
    admin = await make_account(session, "admin")
    hoods = [await make_neighbourhood(session) for _ in range(count)]
    ballots = [(await make_open_ballot(session, hood, admin, status="draft", requires_residence=False))[0]
               for hood in hoods]
    city, _ids = await make_open_ballot(session, hoods[0], admin, status="draft", neighbourhood_id=None)
    return admin, hoods, ballots, city


async def open_all(session, ballots) -> None:  # type: ignore[no-untyped-def]
    await session.exec(text("UPDATE ballot SET status = 'open' WHERE id = ANY(:ids)")  # type: ignore[call-overload]
                       .bindparams(ids=[b.id for b in ballots]))
    session.expunge_all()


async def test_a_group_is_validated_when_made(client, db_session):
    admin, hoods, ballots, city = await districts(db_session)
    headers = {**EN, **await bearer(client, admin.email)}
    body = {"title": "Barcelona 2026", "ballot_ids": [b.id for b in ballots], "city_ballot_id": city.id,
            "extra_districts": 2}
    refused = await client.post("/api/v1/ballot-groups", json=body, headers=headers)
    assert refused.status_code == 422 and {r["code"] for r in refused.json()["extra"]} == {"group.extra"}
    made = await client.post("/api/v1/ballot-groups", json={**body, "extra_districts": 1}, headers=headers)
    assert made.status_code == 201, made.text
    assert sorted(made.json()["ballot_ids"]) == sorted([city.id] + [b.id for b in ballots])
    again = await client.post("/api/v1/ballot-groups", json={**body, "extra_districts": 1}, headers=headers)
    assert again.status_code == 422 and {r["code"] for r in again.json()["extra"]} == {"group.taken"}
    citizen = await make_account(db_session)
    assert (await client.post("/api/v1/ballot-groups", json=body,
                              headers=await bearer(client, citizen.email))).status_code == 403


async def test_own_district_plus_one_is_enforced_when_voting(client, db_session):
    admin, hoods, ballots, city = await districts(db_session)
    headers = {**EN, **await bearer(client, admin.email)}
    made = await client.post("/api/v1/ballot-groups", headers=headers, json={
        "title": "Barcelona", "ballot_ids": [b.id for b in ballots], "city_ballot_id": city.id,
        "extra_districts": 1})
    assert made.status_code == 201, made.text
    await open_all(db_session, [*ballots, city])
    voter = await make_voter(db_session, hoods[0])
    ids = {b.id: (await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT proposal_id FROM ballot_proposal WHERE ballot_id = :b ORDER BY position").bindparams(b=b.id)))
        .first()[0] for b in [*ballots, city]}

    async def vote(ballot, language=EN):  # type: ignore[no-untyped-def]
        return await client.post(f"/api/v1/ballots/{ballot.id}/votes", json={"projects": [ids[ballot.id]]},
                                 headers={**language, **await bearer(client, voter.email)})

    for ballot in (city, ballots[1], ballots[0], ballots[1], city):  # the city, one other, own, again
        answer = await vote(ballot)
        assert answer.status_code == 201, answer.text
    third = await vote(ballots[2])
    assert third.status_code == 409 and third.json()["extra"][0]["code"] == "group.limit"
    assert "your own district and 1 other" in third.json()["detail"]
    assert "votre quartier et 1 autre" in (await vote(ballots[2], FR)).json()["detail"]
    paper = await client.post(f"/api/v1/ballots/{ballots[2].id}/paper-votes", headers=headers,
                              json={"voter": voter.email, "projects": [ids[ballots[2].id]]})
    assert paper.status_code == 409 and paper.json()["extra"][0]["code"] == "group.limit"  # on paper too
    counts = (await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT count(*) FROM participation WHERE ballot_id = :b").bindparams(b=ballots[2].id))).one()
    assert counts[0] == 0


async def test_the_database_refuses_more_districts_than_the_rule(db_session):
    admin, hoods, ballots, city = await districts(db_session, 2)
    await db_session.exec(text("INSERT INTO ballot_group (id, title, extra_districts) "  # type: ignore[call-overload]
                               "VALUES (987654, 'g', 0)"))
    db_session.add(BallotGroupVoter(group_id=987654, voter_key="a:x", district_ids=[1, 2], max_districts=1))
    with pytest.raises(IntegrityError, match="ballot_group_voter_limit"):
        await db_session.flush()


@pytest.fixture(scope="module")
def groups_url(pg_server_url: str) -> Iterator[str]:
    url = create_database(pg_server_url, "gb_groups")
    yield url
    drop_database(pg_server_url, url)


async def test_two_parallel_votes_cannot_exceed_the_rule(groups_url):
    """One voter votes in two other districts at once (own plus one allowed): exactly one commits."""
    from ballots.groups.schemas import GroupCreate
    from ballots.groups.service import GroupLimitReached, create_group
    from ballots.votes import cast_online
    from voting.database import make_engine, make_session_maker

    engine = make_engine(groups_url, pool_size=4)
    maker = make_session_maker(engine)
    async with maker() as session:
        admin, hoods, ballots, city = await districts(session)
        voter = await make_voter(session, hoods[0])
        boss = Principal(admin.id, admin.email, admin.display_name, frozenset({"admin"}))
        await create_group(session, boss, GroupCreate(title="Group", ballot_ids=[b.id for b in ballots],
                                                      extra_districts=1))
        await open_all(session, ballots)
        ids = {b.id: (await session.exec(text(  # type: ignore[call-overload]
            "SELECT proposal_id FROM ballot_proposal WHERE ballot_id = :b").bindparams(b=b.id))).first()[0]
            for b in ballots}
        await session.commit()
    principal = Principal(voter.id, voter.email, voter.display_name, frozenset({"citizen"}), verified=True,
                          birth_date=voter.birth_date, neighbourhood_id=hoods[0].id, email_confirmed=True)

    async def vote(ballot_id: int) -> str:
        async with maker() as session, session.begin():
            try:
                await cast_online(session, principal, ballot_id, {"projects": [ids[ballot_id]]})
                await asyncio.sleep(0.2)  # hold the transaction open: the other vote must wait, not slip past
                return "ok"
            except GroupLimitReached:
                return "refused"

    try:
        outcomes = await asyncio.gather(vote(ballots[1].id), vote(ballots[2].id))
        assert sorted(outcomes) == ["ok", "refused"]
        async with maker() as session:
            rows = (await session.exec(text(  # type: ignore[call-overload]
                "SELECT count(*) FROM participation WHERE ballot_id = ANY(:ids)").bindparams(
                ids=[ballots[1].id, ballots[2].id]))).one()
        assert rows[0] == 1
    finally:
        await engine.dispose()


async def audit_entries(session, group_id: int) -> list:  # type: ignore[no-untyped-def]
    from sqlmodel import col, select

    from voting.models import AuditEntry

    return list((await session.exec(select(AuditEntry).where(AuditEntry.subject == f"ballot_group:{group_id}")
                                    .order_by(col(AuditEntry.seq)))).all())


async def test_a_group_of_drafts_is_changed_and_deleted_over_the_api(client, db_session):
    admin, hoods, ballots, city = await districts(db_session, 4)
    headers = {**EN, **await bearer(client, admin.email)}
    made = await client.post("/api/v1/ballot-groups", headers=headers, json={
        "title": "Barcelona", "ballot_ids": [b.id for b in ballots[:3]], "city_ballot_id": city.id,
        "extra_districts": 1})
    group_id = made.json()["id"]
    shown = await client.get(f"/api/v1/ballot-groups/{group_id}", headers=headers)
    assert shown.status_code == 200 and shown.json()["city_ballot_id"] == city.id
    assert shown.json()["ballot_ids"] == sorted([city.id] + [b.id for b in ballots[:3]])
    body = {"title": "Barcelona 2027", "ballot_ids": [b.id for b in ballots[1:]], "city_ballot_id": None,
            "extra_districts": 0}  # the first district and the city-wide ballot leave, the fourth joins
    changed = await client.put(f"/api/v1/ballot-groups/{group_id}", json=body, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["ballot_ids"] == sorted(b.id for b in ballots[1:])
    everyone = [b.id for b in [*ballots, city]]
    group_of = dict((await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT id, group_id FROM ballot WHERE id = ANY(:ids)").bindparams(ids=everyone))).all())
    assert group_of == {ballots[0].id: None, city.id: None, **{b.id: group_id for b in ballots[1:]}}
    refused = await client.put(f"/api/v1/ballot-groups/{group_id}", json={**body, "extra_districts": 5},
                               headers=headers)
    assert refused.status_code == 422 and {r["code"] for r in refused.json()["extra"]} == {"group.extra"}
    citizen = await make_account(db_session)
    assert (await client.delete(f"/api/v1/ballot-groups/{group_id}",
                                headers=await bearer(client, citizen.email))).status_code == 403
    deleted = await client.delete(f"/api/v1/ballot-groups/{group_id}", headers=headers)
    assert deleted.status_code == 204, deleted.text
    assert (await client.get(f"/api/v1/ballot-groups/{group_id}", headers=headers)).status_code == 404
    left = (await db_session.exec(text(  # type: ignore[call-overload]
        "SELECT count(*) FROM ballot WHERE group_id IS NOT NULL AND id = ANY(:ids)").bindparams(
        ids=[b.id for b in ballots]))).one()
    assert left[0] == 0
    entries = await audit_entries(db_session, group_id)
    assert [e.action for e in entries] == ["ballot_group.created", "ballot_group.updated", "ballot_group.deleted"]
    assert entries[1].data["removed"] == sorted([ballots[0].id, city.id]) and entries[1].data["added"] == [
        ballots[3].id]
    assert entries[1].data["fields"] == ["title", "extra_districts"]
    assert entries[2].data["ballots"] == sorted(b.id for b in ballots[1:])


async def test_a_group_stays_as_it_is_once_one_ballot_opened(client, db_session):
    admin, hoods, ballots, city = await districts(db_session)
    headers = {**EN, **await bearer(client, admin.email)}
    body = {"title": "Barcelona", "ballot_ids": [b.id for b in ballots], "city_ballot_id": city.id,
            "extra_districts": 1}
    group_id = (await client.post("/api/v1/ballot-groups", headers=headers, json=body)).json()["id"]
    await open_all(db_session, [city])
    for language, words in ((EN, f"Ballot {city.id} of this group is no longer a draft"),
                            (FR, f"Le scrutin {city.id} de ce groupe n’est plus un brouillon")):
        asked = {**headers, **language}
        changed = await client.put(f"/api/v1/ballot-groups/{group_id}", json={**body, "extra_districts": 0},
                                   headers=asked)
        deleted = await client.delete(f"/api/v1/ballot-groups/{group_id}", headers=asked)
        for answer in (changed, deleted):
            assert answer.status_code == 409, answer.text
            assert answer.json()["detail"].startswith(words) and answer.json()["extra"][0]["code"] == "group.frozen"
    still = (await client.get(f"/api/v1/ballot-groups/{group_id}", headers=headers)).json()
    assert still["extra_districts"] == 1 and len(still["ballot_ids"]) == 4
    assert [e.action for e in await audit_entries(db_session, group_id)] == ["ballot_group.created"]


@pytest.mark.parametrize("first", ["opening", "change"])
async def test_a_group_change_and_a_ballot_opening_take_turns(groups_url, first):
    """A change of the group and the opening of one of its ballots at once: whichever locks the ballot first
    finishes first, and a change that waited for an opening is refused (409), never made to an open ballot's group."""
    from ballots.groups.schemas import GroupCreate, GroupUpdate
    from ballots.groups.service import GroupFrozen, create_group, update_group
    from ballots.service import change_status
    from voting.database import make_engine, make_session_maker

    engine = make_engine(groups_url, pool_size=4)
    maker = make_session_maker(engine)
    async with maker() as session:
        admin, hoods, ballots, city = await districts(session)
        boss = Principal(admin.id, admin.email, admin.display_name, frozenset({"admin"}))
        body = {"title": "Group", "ballot_ids": [b.id for b in ballots], "extra_districts": 1}
        group, _ids = await create_group(session, boss, GroupCreate(**body))
        await session.commit()
    started = asyncio.Event()

    async def opening() -> str:
        async with maker() as session, session.begin():
            if first != "opening":
                await started.wait()
            await change_status(session, boss, ballots[0].id, "open")
            started.set()
            await asyncio.sleep(0.3)  # hold the lock: the other must wait, not slip past
            return "opened"

    async def change() -> str:
        async with maker() as session, session.begin():
            if first != "change":
                await started.wait()
            try:
                await update_group(session, boss, group.id or 0, GroupUpdate(**{**body, "extra_districts": 0}))
            except GroupFrozen:
                return "refused"
            started.set()
            await asyncio.sleep(0.3)
            return "changed"

    try:
        outcomes = await asyncio.gather(opening(), change())
        assert outcomes == (["opened", "refused"] if first == "opening" else ["opened", "changed"])
        async with maker() as session:
            row = (await session.exec(text(  # type: ignore[call-overload]
                "SELECT g.extra_districts, b.status FROM ballot_group g JOIN ballot b ON b.group_id = g.id "
                "WHERE b.id = :b").bindparams(b=ballots[0].id))).one()
        assert tuple(row) == ((1, "open") if first == "opening" else (0, "open"))
    finally:
        await engine.dispose()


async def test_a_group_naming_too_many_ballots_is_refused_not_a_500(client, db_session):
    """40,000 ballot numbers (one statement cannot take that many parameters): a 400 naming the field."""
    admin, hoods, ballots, city = await districts(db_session)
    headers = {**EN, **await bearer(client, admin.email)}
    body = {"title": "Barcelona", "ballot_ids": [b.id for b in ballots], "extra_districts": 1}
    group_id = (await client.post("/api/v1/ballot-groups", headers=headers, json=body)).json()["id"]
    many = {**body, "ballot_ids": list(range(1, 40_001))}
    for answer in (await client.post("/api/v1/ballot-groups", headers=headers, json=many),
                   await client.put(f"/api/v1/ballot-groups/{group_id}", headers=headers, json=many)):
        assert answer.status_code == 400, answer.text
        assert [item["key"] for item in answer.json()["extra"]] == ["ballot_ids"]


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_a_group_change_caught_in_a_deadlock_is_a_409_to_try_again(groups_url, tmp_path, language):
    """PostgreSQL breaks a deadlock by failing one transaction: the request it fails answers 409 "try again"
    (in the caller's language, with Retry-After), never a 500, and writes nothing."""
    import asyncpg

    from ballots.groups.schemas import GroupCreate
    from ballots.groups.service import create_group
    from tests.conftest import bearer_for, libpq_url, served_app
    from voting.database import make_engine, make_session_maker

    engine = make_engine(groups_url, pool_size=2)
    async with make_session_maker(engine)() as session:
        admin, _hoods, ballots, _city = await districts(session, 4)
        boss = Principal(admin.id, admin.email, admin.display_name, frozenset({"admin"}))
        made = GroupCreate(title="Three", ballot_ids=[b.id for b in ballots[:3]], extra_districts=1)
        group, _ids = await create_group(session, boss, made)
        await session.commit()
    await engine.dispose()
    outsider, member = ballots[3].id, ballots[0].id
    side = await asyncpg.connect(libpq_url(groups_url))
    try:
        async with served_app(groups_url, tmp_path, language=language) as (app, http):
            transaction = side.transaction()
            await transaction.start()
            await side.execute("SET LOCAL deadlock_timeout = '10s'")  # the request's side detects it, and fails
            await side.execute("SELECT 1 FROM ballot WHERE id = $1 FOR UPDATE", outsider)
            change = asyncio.create_task(http.put(
                f"/api/v1/ballot-groups/{group.id}", headers=bearer_for(app, admin),
                json={"title": "Four", "ballot_ids": [b.id for b in ballots], "extra_districts": 1}))
            await asyncio.sleep(0.5)  # the change holds its group's ballots and waits for the outsider
            locked = asyncio.create_task(side.execute("SELECT 1 FROM ballot WHERE id = $1 FOR UPDATE", member))
            answer = await change
            await locked
            await transaction.rollback()
            assert answer.status_code == 409, answer.text
            assert answer.headers["retry-after"] == "1"
            assert answer.json()["detail"] == {"en": "Someone changed this at the same moment: try again.",
                                               "fr": "Quelqu'un a modifié ceci au même moment : réessayez."}[language]
            unchanged = (await http.get(f"/api/v1/ballot-groups/{group.id}", headers=bearer_for(app, admin))).json()
            assert unchanged["title"] == "Three"
            assert sorted(unchanged["ballot_ids"]) == sorted(b.id for b in ballots[:3])
    finally:
        await side.close()
