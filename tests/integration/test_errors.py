"""Values PostgreSQL refuses (NUL characters, numbers beyond a column) are a 400 with a message, never a 500,
and the request writes nothing."""

from __future__ import annotations

import pytest
from asyncpg.exceptions import CharacterNotInRepertoireError, DataError
from litestar import Request
from sqlalchemy import func
from sqlmodel import select

from tests.ballot_factories import make_open_ballot
from tests.factories import bearer, make_account, make_neighbourhood, unique
from voting.errors import exception_handlers
from voting.models import AuditEntry, Neighbourhood

pytestmark = pytest.mark.anyio
NUL_MESSAGE = "Text cannot contain the NUL character (U+0000)."


async def count(db_session, model) -> int:
    return (await db_session.exec(select(func.count()).select_from(model))).one()


async def test_a_nul_character_in_a_query_string_is_a_400(client):
    response = await client.get("/api/v1/proposals", params={"category": "jardin\x00"})
    assert response.status_code == 400
    assert response.json() == {"status_code": 400, "detail": NUL_MESSAGE}


async def test_a_nul_character_in_a_login_is_a_400_in_the_callers_language(client):
    response = await client.post("/api/v1/auth/token", json={"email": "someone\x00@example.org", "password": "x"},
                                 headers={"accept-language": "fr"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Un texte ne peut pas contenir le caractère NUL (U+0000)."


async def test_a_refused_value_writes_nothing(client, db_session):
    admin = await make_account(db_session, "admin")
    headers = await bearer(client, admin.email)
    hoods, entries = await count(db_session, Neighbourhood), await count(db_session, AuditEntry)
    response = await client.post("/api/v1/admin/neighbourhoods", headers=headers, json={
        "slug": unique("quartier"), "name_fr": "Les C\x00tes", "name_en": "The Slopes"})
    # a control character in a name is refused before the database sees it (voting.fields), naming the field
    assert response.status_code == 422 and "name_fr" in response.json()["detail"]
    assert (await count(db_session, Neighbourhood), await count(db_session, AuditEntry)) == (hoods, entries)


async def test_a_paper_vote_for_a_voter_named_with_a_nul_is_a_400(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, ids = await make_open_ballot(db_session, hood, moderator)
    officer = await make_account(db_session, "poll_officer", neighbourhoods=[hood.slug])
    response = await client.post(f"/api/v1/ballots/{ballot.id}/paper-votes",
                                 headers=await bearer(client, officer.email),
                                 json={"voter": "voter\x00@example.org", "projects": ids[:1]})
    assert response.status_code == 400 and response.json()["detail"] == NUL_MESSAGE


async def test_a_page_id_beyond_any_row_is_a_400_page(client):
    response = await client.get("/ballots/99999999999")
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]
    assert "A number in the request is out of range." in response.text
    assert "Traceback" not in response.text


async def test_the_driver_s_own_data_errors_are_a_400_too(app):
    """The ballot box runs fixed statements on asyncpg directly, outside SQLAlchemy's exception wrapping."""
    scope = {"type": "http", "method": "POST", "path": "/api/v1/ballots/1/votes", "raw_path": b"",
             "headers": [(b"accept-language", b"en")], "query_string": b"", "app": app, "path_params": {},
             "server": ("testserver", 80)}
    for error, detail in ((CharacterNotInRepertoireError("invalid byte sequence"), NUL_MESSAGE),
                          (DataError("invalid input for query argument $1: 10 (value out of int32 range)"),
                           "A number in the request is out of range.")):
        response = exception_handlers[DataError](Request(scope), error)
        assert (response.status_code, response.content["detail"]) == (400, detail)


@pytest.mark.parametrize("body", [b'{"email": "someone@example.org"', b"\x00", b'{"email": 1} trailing'])
async def test_a_body_that_is_not_json_says_so(client, body):
    response = await client.post("/api/v1/auth/token", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body is not valid JSON (")


@pytest.mark.parametrize(("language", "headline", "required", "kind"), [
    ("en", "The request was refused: some of its data is not valid (POST /api/v1/ballots).",
     "This field is required.", "This should be a whole number."),
    ("fr", "La requête a été refusée : certaines de ses données ne sont pas valables (POST /api/v1/ballots).",
     "Ce champ est obligatoire.", "Ceci devrait être un nombre entier."),
])
async def test_a_refused_body_is_explained_field_by_field_in_the_callers_language(client, db_session, language,
                                                                                   headline, required, kind):
    moderator = await make_account(db_session, "admin")
    headers = {**await bearer(client, moderator.email), "accept-language": language}
    missing = await client.post("/api/v1/ballots", json={"title": "Vergers"}, headers=headers)
    assert missing.status_code == 400
    assert missing.json()["detail"] == headline
    assert {item["key"]: item["message"] for item in missing.json()["extra"]}["budget"] == required
    wrong = await client.post("/api/v1/ballots", headers=headers, json={
        "title": "Vergers", "budget": "beaucoup", "opens_at": "2030-01-01T08:00:00+01:00",
        "closes_at": "2030-02-01T20:00:00+01:00"})
    assert wrong.status_code == 400
    assert {item["key"]: item["message"] for item in wrong.json()["extra"]}["budget"] == kind
