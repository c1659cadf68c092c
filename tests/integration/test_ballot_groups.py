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
