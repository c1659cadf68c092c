"""Hostile input gets a clear 4xx, never a 500: JSON nested too deep, odd upload file names, control characters."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.factories import bearer, browser_login, csrf_token, make_account, post_form
from tests.proposal_factories import auth, insert_proposal, make_ballot, make_cast, proposal_body
from voting.fields import refused_character

pytestmark = pytest.mark.anyio

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("body", ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000,
                                  '{"email": ' + "[" * 100 + "]" * 100 + ', "password": "x"}'])
async def test_json_nested_too_deep_is_a_400(client: httpx.AsyncClient, db_session, body: str) -> None:  # type: ignore[no-untyped-def]
    account = await make_account(db_session)
    await db_session.commit()
    token = await bearer(client, account.email)
    for path in ("/api/v1/auth/token", "/api/v1/proposals"):
        response = await client.post(path, content=body, headers={**JSON, **token})
        assert response.status_code == 400, (path, response.text)
        assert "nested" in response.json()["detail"]
    french = await client.post("/api/v1/proposals", content=body, headers={**JSON, **token, "accept-language": "fr"})
    assert french.status_code == 400 and "imbriqu" in french.json()["detail"]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ODD_NAMES = [b"a\r\nb.png", b"a\rb.png", b"a\nb.png", b"a\x00b.png", b"../../etc/passwd", b"..\\..\\x.png",
             b"\xff\xfe.png", b'a"b.png', b"a\x1b[31m.png", "caf\u00e9.png".encode(), b"x" * 5000,
             b'x.png"; filename*=UTF-8\'\'a%0D%0Ab.png', b'x.png"; filename*=UTF-8\'\'a%00b.png',
             b'x.png"; filename*=UTF-8\'\'%FF%FE.png', b'x.png"; filename*=UTF-8\'\'..%2F..%2Fetc%2Fpasswd',
             b'x.png"; filename*=BOGUS\'\'a.png', b'x.png"; filename*=UTF-8\'\'%E2%80%AEgnp.exe']


def multipart(file_field: str, filename: bytes, content: bytes, fields: dict[str, str] | None = None,
              boundary: bytes = b"gbBoundary7") -> tuple[bytes, dict[str, str]]:
    parts = [b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"" + name.encode() + b"\"\r\n\r\n"
             + value.encode() + b"\r\n" for name, value in (fields or {}).items()]
    parts.append(b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"" + file_field.encode()
                 + b"\"; filename=\"" + filename + b"\"\r\nContent-Type: image/png\r\n\r\n" + content + b"\r\n")
    body = b"".join(parts) + b"--" + boundary + b"--\r\n"
    return body, {"content-type": "multipart/form-data; boundary=" + boundary.decode()}


async def test_odd_upload_file_names_never_500(client: httpx.AsyncClient, db_session) -> None:  # type: ignore[no-untyped-def]
    cast = await make_cast(db_session)
    draft = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    ballot = await make_ballot(db_session, cast.hood)
    await db_session.commit()
    token = await auth(client, cast.citizen)
    uploads = [(cast.citizen, "/proposals/new", "photo", PNG, {"title": "Trees", "intent": "draft"}),
               (cast.admin, f"/ballots/{ballot.id}/roll", "file", b"voter\nx@example.org\n", {}),
               (cast.admin, f"/ballots/{ballot.id}/paper", "file", b"voter,projects\n", {}),
               (cast.admin, "/admin/census", "census", b"email,birth_date\n", {})]
    for name in ODD_NAMES:
        body, headers = multipart("photo", name, PNG)
        response = await client.put(f"/api/v1/proposals/{draft.id}/photo", content=body, headers={**headers, **token})
        print(name, response.status_code, response.text[:300])
        assert response.status_code in (200, 400), (name, response.text)
        if response.status_code == 400:
            assert "cannot be read" in response.json()["detail"], response.text
    body, headers = multipart("photo", b"a\r\nb.png", PNG)
    french = await client.put(f"/api/v1/proposals/{draft.id}/photo", content=body,
                              headers={**headers, **token, "Accept-Language": "fr"})
    assert french.status_code == 400 and "ne peut pas être lu" in french.json()["detail"]
    for account, path, field, content, fields in uploads:
        client.cookies.clear()
        await browser_login(client, account.email)
        csrf = await csrf_token(client)
        for name in ODD_NAMES:
            body, headers = multipart(field, name, content, {"_csrf_token": csrf, **fields})
            response = await client.post(path, content=body, headers=headers)
            print(path, name, response.status_code, response.text[:300])
            assert response.status_code < 500, (path, name, response.text)


BAD = ["Parc\u202egnp.exe", "a\u2066b", "left\u200fright", "bell\x07", "esc\x1b[2J", "c1\x85x", "nul\x00x"]


async def test_control_and_bidi_characters_refused_in_every_name_and_title(  # type: ignore[no-untyped-def]
        client: httpx.AsyncClient, db_session) -> None:
    cast = await make_cast(db_session)
    draft = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    ballot = await make_ballot(db_session, cast.hood)
    await db_session.commit()
    citizen, admin = await auth(client, cast.citizen), await auth(client, cast.admin)
    moderator = await auth(client, cast.moderator)
    body = proposal_body(cast.hood)
    for number, bad in enumerate(BAD):
        attempts = [
            ("title", "POST", "/api/v1/proposals", citizen, {**body, "title": bad}),
            ("summary", "POST", "/api/v1/proposals", citizen, {**body, "summary": bad}),
            ("description", "PUT", f"/api/v1/proposals/{draft.id}", citizen, {**body, "description": bad}),
            ("display_name", "PATCH", "/api/v1/account", citizen, {"display_name": bad}),
            ("name_fr", "POST", "/api/v1/admin/neighbourhoods", admin,
             {"slug": f"q-{number}", "name_fr": bad, "name_en": "x"}),
            ("name_en", "POST", "/api/v1/admin/categories", admin,
             {"slug": f"c-{number}", "name_fr": "x", "name_en": bad}),
            ("city_name", "PUT", "/api/v1/admin/settings", admin, {"city_name": bad}),
            ("title", "PATCH", f"/api/v1/ballots/{ballot.id}", moderator, {"title": "T" + bad}),
        ]
        for field, method, path, headers, data in attempts:
            response = await client.request(method, path, json=data, headers=headers)
            if response.is_success:  # neutralised by the service (a NEL folded into a space): nothing bad stored
                assert refused_character(json.dumps(response.json(), ensure_ascii=False)) is None, response.text
                continue
            assert response.status_code == 422, (field, path, bad, response.text)
            assert field in response.json()["detail"], (field, response.text)
    multi_line = {**body, "description": "Line one\n\tLine two\r\n", "summary": "One.\nTwo."}
    assert (await client.put(f"/api/v1/proposals/{draft.id}", json=multi_line, headers=citizen)).status_code == 200
    one_line = await client.put(f"/api/v1/proposals/{draft.id}", json={**body, "title": "Two\nlines"}, headers=citizen)
    assert one_line.status_code == 422
    french = await client.post("/api/v1/proposals", json={**body, "title": BAD[0]},
                               headers={**citizen, "Accept-Language": "fr"})
    assert french.status_code == 422 and "caractère" in french.json()["detail"] and "U+202E" in french.json()["detail"]
    await db_session.refresh(draft)
    assert draft.title != "Two\nlines"


async def test_page_forms_refuse_them_too(client: httpx.AsyncClient, db_session) -> None:  # type: ignore[no-untyped-def]
    cast = await make_cast(db_session)
    await db_session.commit()
    await browser_login(client, cast.citizen.email)
    profile = await post_form(client, "/account", {"display_name": "Eve\u202e"})
    assert profile.status_code == 422 and "display_name" in profile.text
    body, headers = multipart("photo", b"", b"", {"_csrf_token": await csrf_token(client), "title": "Arbres\u202e",
                                                 "summary": "s", "intent": "draft"})
    proposal = await client.post("/proposals/new", content=body, headers=headers)
    assert proposal.status_code == 422 and "title" in proposal.text
    client.cookies.clear()
    await browser_login(client, cast.admin.email)
    hood = await post_form(client, "/admin/neighbourhoods", {"slug": "q-bidi", "name_fr": "Nord\u2067", "name_en": ""})
    assert hood.status_code == 422 and "name_fr" in hood.text
    settings = await post_form(client, "/admin/settings", {"city_name": "Ville\x1b", "min_voting_age": "16"})
    assert settings.status_code == 422 and "city_name" in settings.text
