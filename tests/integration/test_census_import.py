"""Census import: rows reported by line, the census replaced atomically, matching accounts verified, audited
without personal data; through the service, the JSON API and the admin page."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from sqlalchemy import func, text
from sqlmodel import col, select

from auth.census.key import census_key
from auth.census.models import CensusEntry, CensusImport
from auth.census.rules import keyed_hash
from auth.census.service import CensusFileError, import_census, verify_from_census
from tests.factories import bearer, browser_login, csrf_token, make_account, make_neighbourhood, unique
from voting.i18n import use_language
from voting.models import AuditEntry

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def instance_secret():
    """The test app's secret (tests/conftest.py), also for services called without an app."""
    from auth.census.key import use_instance_secret

    use_instance_secret("test-secret")


@pytest.fixture
async def hoods(db_session):
    postcode = f"9{random.randint(1000, 9999)}"  # noqa: S311
    centre = await make_neighbourhood(db_session, postcodes=[postcode])
    north = await make_neighbourhood(db_session)
    return centre, north, postcode


def census(*rows: str, header: str = "email,document_id,birth_date,neighbourhood,postcode") -> str:
    return "\n".join([header, *rows]) + "\n"


async def entries(db_session):
    return (await db_session.exec(select(CensusEntry).order_by(col(CensusEntry.id)))).all()


async def test_good_and_bad_rows_are_reported_by_line(db_session, hoods):
    use_language("en")  # reasons are in the caller's language
    centre, north, postcode = hoods
    report = await import_census(db_session, census(
        "Ana@Example.org,,1990-05-17,,",  # 2: no neighbourhood or postcode (the reader rejects it)
        f"ana@example.org,,1990-05-17,{centre.slug},",  # 3
        f",AB-12 345,17/05/1985,,{postcode}",  # 4
        f"bob@example.org,,1990-02-30,{north.slug},",  # 5: impossible date
        f"carl@example.org,,2999-01-01,{north.slug},",  # 6: future
        "dan@example.org,,1990-01-01,atlantis,",  # 7: unknown neighbourhood
        f"eve@example.org,ZZ9999,1970-01-01,{north.slug},",  # 8: clashes with 9
        f"eve@example.org,ZZ9999,1971-01-01,{north.slug},",  # 9
        'fay@example.org,"unterminated,1970-01-01,x,',  # 10
        f"gus@example.org,,1970-01-01,{north.slug},",  # 11
    ), actor="test")
    assert report.rows_read == 10 and report.rows_stored == 3
    reasons = {p.line: p.reason for p in report.rejected}
    assert sorted(reasons) == [2, 5, 6, 7, 8, 9, 10]
    assert "not a real date" in reasons[5] and "future" in reasons[6] and "atlantis" in reasons[7]
    assert "line 9" in reasons[8] and "line 8" in reasons[9] and "quote" in reasons[10]
    stored = await entries(db_session)
    assert [(e.email, e.birth_date, e.neighbourhood_id) for e in stored] == [
        ("ana@example.org", date(1990, 5, 17), centre.id), (None, date(1985, 5, 17), centre.id),
        ("gus@example.org", date(1970, 1, 1), north.id)]
    assert stored[1].document_hash == keyed_hash(census_key(), "document", "AB12345")
    dump = (await db_session.exec(text("SELECT string_agg(t::text, ' ') FROM census_entry t"))).one()[0]  # type: ignore[call-overload]
    assert "AB12345" not in dump.upper().replace("-", "").replace(" ", "")
    run = await db_session.get(CensusImport, report.import_id)
    assert (run.rows_read, run.rows_stored, run.rows_rejected) == (10, 3, 7)
    assert [row["line"] for row in run.rejected] == [2, 5, 6, 7, 8, 9, 10]


async def test_a_reimport_replaces_the_whole_census(db_session, hoods):
    centre, north, _ = hoods
    await import_census(db_session, census(f"old@example.org,,1990-01-01,{centre.slug},"), actor="test")
    await import_census(db_session, census(f"new@example.org,,1990-01-01,{north.slug},",
                                           f",QQ1234,1980-01-01,{north.slug},"), actor="test")
    assert sorted(e.email or "-" for e in await entries(db_session)) == ["-", "new@example.org"]


@pytest.mark.parametrize(("content", "message"), [
    ("email,birth_date\nx@example.org,1990-01-01\n", "postcode / neighbourhood"),
    ("", "empty"),
    ("email,birth_date,neighbourhood\nnot-mail,1990-01-01,nowhere\n,1990-01-01,x\n", "No row"),
])
async def test_a_failing_import_leaves_the_old_census(db_session, hoods, content, message):
    use_language("en")
    centre, _, _ = hoods
    first = await import_census(db_session, census(f"kept@example.org,,1990-01-01,{centre.slug},"), actor="test")
    imports = (await db_session.exec(select(func.count()).select_from(CensusImport))).one()
    with pytest.raises(CensusFileError) as refused:
        await import_census(db_session, content, actor="test")
    assert message in refused.value.message and "unchanged" in refused.value.message
    assert [e.email for e in await entries(db_session)] == ["kept@example.org"]
    assert (await db_session.exec(select(func.count()).select_from(CensusImport))).one() == imports
    assert first.import_id == (await entries(db_session))[0].import_id
    if message == "No row":
        assert [row["line"] for row in refused.value.extra["rejected"]] == [2, 3]


async def test_a_failure_inside_the_import_rolls_back_to_the_old_census(db_session, hoods):
    centre, _, _ = hoods
    await import_census(db_session, census(f"kept@example.org,,1990-01-01,{centre.slug},"), actor="test")
    await db_session.commit()  # the test's outer transaction still rolls everything back afterwards
    with pytest.raises(RuntimeError):
        async with db_session.begin_nested():
            await import_census(db_session, census(f"other@example.org,,1990-01-01,{centre.slug},"), actor="test")
            assert [e.email for e in await entries(db_session)] == ["other@example.org"]
            raise RuntimeError("the server died half-way")
    assert [e.email for e in await entries(db_session)] == ["kept@example.org"]


async def test_the_import_verifies_confirmed_matching_accounts_only(db_session, hoods):
    centre, north, _ = hoods
    confirmed = await make_account(db_session, verified=False)
    unconfirmed = await make_account(db_session, verified=False, email_confirmed=False)
    already = await make_account(db_session)  # verified another way: left alone
    absent = await make_account(db_session, verified=False)
    report = await import_census(db_session, census(
        f"{confirmed.email.upper()},,1990-05-17,{centre.slug},",
        f"{unconfirmed.email},,1991-01-01,{centre.slug},",
        f"{already.email},,1992-01-01,{north.slug},"), actor="test")
    assert report.accounts_verified == 1
    for account in (confirmed, unconfirmed, already, absent):
        await db_session.refresh(account)
    assert confirmed.verified_how == "census" and confirmed.verified_at is not None
    assert (confirmed.neighbourhood_id, confirmed.birth_date) == (centre.id, date(1990, 5, 17))
    assert unconfirmed.verified_at is None and unconfirmed.neighbourhood_id is None
    assert already.verified_how == "test" and already.neighbourhood_id is None
    assert absent.verified_at is None


async def test_a_reimport_follows_a_move_and_keeps_accounts_whose_row_is_gone(db_session, hoods):
    centre, north, _ = hoods
    mover = await make_account(db_session, verified=False)
    leaver = await make_account(db_session, verified=False)
    await import_census(db_session, census(f"{mover.email},,1990-05-17,{centre.slug},",
                                           f"{leaver.email},,1980-01-01,{centre.slug},"), actor="test")
    report = await import_census(db_session, census(f"{mover.email},,1990-05-17,{north.slug},"), actor="test")
    assert (report.accounts_verified, report.accounts_updated) == (0, 1)
    await db_session.refresh(mover)
    await db_session.refresh(leaver)
    assert mover.neighbourhood_id == north.id and mover.verified_how == "census"
    assert leaver.verified_how == "census" and leaver.neighbourhood_id == centre.id


async def test_audit_entries_hold_counts_never_personal_data(db_session, hoods):
    centre, _, _ = hoods
    resident = await make_account(db_session, verified=False)
    since = (await db_session.exec(select(func.max(AuditEntry.seq)))).one() or 0
    await import_census(db_session, census(f"{resident.email},ID778899,1990-05-17,{centre.slug},",
                                           "bad,,,,"), actor="account:someone")
    logged = (await db_session.exec(select(AuditEntry).where(col(AuditEntry.seq) > since)
                                    .order_by(col(AuditEntry.seq)))).all()
    assert [e.action for e in logged] == ["census.imported", "census.verified", "census.accounts_matched"]
    assert logged[0].data == {"rows_read": 2, "rows_stored": 1, "rows_rejected": 1}
    assert logged[1].subject == f"account:{resident.id}"
    assert logged[1].data == {"how": "census", "matched_by": "email"}
    text_of_all = " ".join(str(e.data) + e.subject for e in logged).lower()
    text_of_all = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", text_of_all)
    for secret in (resident.email, "id778899", "1990", centre.slug):  # (a random uuid may hold "1990")
        assert secret not in text_of_all


async def test_confirmation_and_registration_hooks(db_session, hoods):
    centre, _, _ = hoods
    await import_census(db_session, census(f"late@example.org,,1990-05-17,{centre.slug},",
                                           f",AB998877,1985-03-04,{centre.slug},"), actor="test")
    by_email = await make_account(db_session, email=f"{unique('x')}@example.org", verified=False,
                                  email_confirmed=False)
    by_email.email = "late@example.org"
    assert await verify_from_census(db_session, by_email) is False  # not confirmed yet
    by_email.email_confirmed_at = func.now()
    db_session.add(by_email)
    await db_session.flush()
    await db_session.refresh(by_email)
    assert await verify_from_census(db_session, by_email) is True
    registered = await make_account(db_session, verified=False, email_confirmed=False)
    assert await verify_from_census(db_session, registered, "ab 998-877") is False  # waits for the confirmation
    registered.email_confirmed_at = func.now()
    db_session.add(registered)
    await db_session.flush()
    await db_session.refresh(registered)
    assert await verify_from_census(db_session, registered) is True
    assert (registered.neighbourhood_id, registered.birth_date) == (centre.id, date(1985, 3, 4))
    impostor = await make_account(db_session, verified=False)
    assert await verify_from_census(db_session, impostor, "AB998877") is False  # one resident, one account
    stranger = await make_account(db_session, verified=False)
    assert await verify_from_census(db_session, stranger, "ZZ000000") is False


async def test_the_api_imports_for_admins_only(client, db_session, hoods):
    centre, _, _ = hoods
    admin = await make_account(db_session, "admin")
    resident = await make_account(db_session, verified=False)
    headers = {**await bearer(client, admin.email), "content-type": "text/csv"}
    body = census(f"{resident.email},,1990-05-17,{centre.slug},", "x,,,,")
    done = await client.post("/api/v1/admin/census", headers=headers, content=body.encode())
    assert done.status_code == 200, done.text
    report = done.json()
    assert (report["rows_read"], report["rows_stored"], report["accounts_verified"]) == (2, 1, 1)
    assert report["rejected"][0]["line"] == 3
    assert (await client.get("/api/v1/admin/census", headers=headers)).json()["import_id"] == report["import_id"]
    bad = await client.post("/api/v1/admin/census", headers={**headers, "accept-language": "fr"},
                            content=b"email\nx@example.org\n")
    assert bad.status_code == 400 and "recensement est inchang" in bad.json()["detail"]
    latin1 = await client.post("/api/v1/admin/census", headers=headers, content="é".encode("latin-1"))
    assert latin1.status_code == 400 and "UTF-8" in latin1.json()["detail"]
    citizen = await make_account(db_session)
    refused = await client.post("/api/v1/admin/census", headers={**await bearer(client, citizen.email),
                                                                 "content-type": "text/csv"}, content=body.encode())
    assert refused.status_code == 403
    assert (await db_session.exec(select(func.count()).select_from(CensusEntry))).one() == 1


async def test_the_admin_page_uploads_a_file_and_shows_the_report(client, db_session, hoods):
    centre, _, _ = hoods
    admin = await make_account(db_session, "admin")
    resident = await make_account(db_session, verified=False)
    await browser_login(client, admin.email)
    token = await csrf_token(client)
    body = census(f"{resident.email},,1990-05-17,{centre.slug},", f"z@example.org,,1990-02-31,{centre.slug},")
    posted = await client.post("/admin/census", data={"_csrf_token": token},
                               files={"census": ("census.csv", body.encode(), "text/csv")})
    assert posted.status_code in (302, 303), posted.text
    page = await client.get("/admin/census?done=1")
    assert page.status_code == 200
    assert 'data-testid="rows-stored">1<' in page.text and 'data-testid="accounts-verified">1<' in page.text
    assert "not a real date" in page.text
    refused = await client.post("/admin/census", data={"_csrf_token": token},
                                files={"census": ("census.csv", b"email,birth_date\n", "text/csv")})
    assert refused.status_code == 400 and "unchanged" in refused.text
    await db_session.refresh(resident)
    assert resident.verified_how == "census"


async def test_a_reimport_follows_a_resident_verified_by_document(db_session, hoods):
    centre, north, _ = hoods
    resident = await make_account(db_session, verified=False)
    await import_census(db_session, census(f",RR-5566,1990-05-17,{centre.slug},"), actor="test")
    assert await verify_from_census(db_session, resident, "rr5566", birth_date=date(1990, 5, 17)) is True
    report = await import_census(db_session, census(f",RR 5566,1990-05-17,{north.slug},"), actor="test")
    assert report.accounts_updated == 1
    await db_session.refresh(resident)
    assert resident.neighbourhood_id == north.id and resident.verified_how == "census"
    changed = (await db_session.exec(select(AuditEntry).where(AuditEntry.action == "census.reverified",
                                                              AuditEntry.subject == f"account:{resident.id}"))).one()
    assert changed.data == {"changed": ["neighbourhood"]}


async def test_the_admin_page_warns_when_the_instance_secret_changed(client, db_session, hoods):
    from auth.census.rules import derive_census_key

    centre, _, _ = hoods
    await import_census(db_session, census(f",KK1234,1990-05-17,{centre.slug},"), actor="test",
                        key=derive_census_key("the secret before"))
    admin = await make_account(db_session, "admin")
    await browser_login(client, admin.email)
    assert 'data-testid="key-changed"' in (await client.get("/admin/census")).text
    await import_census(db_session, census(f",KK1234,1990-05-17,{centre.slug},"), actor="test")
    assert 'data-testid="key-changed"' not in (await client.get("/admin/census")).text
