"""The set-based roll import against the row-by-row import it replaced, on tangled files: same entries, same report."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import or_
from sqlmodel import col, select

from ballots.models import VoterRollEntry
from ballots.roll import _hoods, import_roll
from ballots.roll_csv import Rejected, parse_roll
from tests.ballot_factories import make_open_ballot
from tests.factories import make_account, make_neighbourhood

pytestmark = pytest.mark.anyio


async def _row_by_row(session, ballot_id, text):
    """The import as it was before the staging table: each entry looked up and written in file order."""
    parsed = parse_roll(text, await _hoods(session), datetime.now(UTC).date())
    added = updated = 0
    rejected = list(parsed.rejected)
    for entry in parsed.entries:
        keys = [VoterRollEntry.email == entry.email] if entry.email else []
        keys += [VoterRollEntry.external_id == entry.external_id] if entry.external_id else []
        rows = (await session.exec(select(VoterRollEntry).where(VoterRollEntry.ballot_id == ballot_id, or_(*keys))
                                   .limit(2))).all()
        if len(rows) > 1:
            rejected.append(Rejected(entry.line, "two"))
            continue
        row = rows[0] if rows else None
        if row is None:
            row = VoterRollEntry(ballot_id=ballot_id, email=entry.email, external_id=entry.external_id)
            added += 1
        else:
            updated += 1
        row.email = entry.email or row.email
        row.external_id = entry.external_id or row.external_id
        row.birth_date = entry.birth_date or row.birth_date
        row.neighbourhood_id = entry.neighbourhood_id or row.neighbourhood_id
        session.add(row)
        await session.flush()
    return added, updated, sorted(r.line for r in rejected)


async def _roll(session, ballot_id):
    rows = (await session.exec(select(VoterRollEntry).where(VoterRollEntry.ballot_id == ballot_id)
                               .order_by(col(VoterRollEntry.id)))).all()
    return sorted(((r.email, r.external_id, r.birth_date, r.neighbourhood_id) for r in rows), key=repr)


def _file(rng: random.Random, rows: int, slugs: list[str]) -> str:
    lines = ["email,external_id,birth_date,neighbourhood"]
    for _ in range(rows):
        email = rng.choice(["", "", "a@x.org", "b@x.org", "c@x.org", "d@x.org", "e@x.org"])
        external = rng.choice(["", "", "1", "2", "3", "4", "5"])
        if not email and not external:
            email = "f@x.org"
        born = rng.choice(["", "", "1980-01-02", "1990-03-04"])
        lines.append(f"{email},{external},{born},{rng.choice(['', '', *slugs])}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(60))
async def test_the_set_import_ends_where_the_row_by_row_import_ends(db_session, seed):
    rng = random.Random(seed)
    hood = await make_neighbourhood(db_session)
    other = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    bulk, _ = await make_open_ballot(db_session, hood, moderator)
    reference, _ = await make_open_ballot(db_session, hood, moderator)
    assert bulk.id is not None and reference.id is not None
    before = _file(rng, rng.randrange(2, 10), [hood.slug, other.slug])
    await _row_by_row(db_session, bulk.id, before)  # the same stored roll under both ballots
    await _row_by_row(db_session, reference.id, before)
    text = _file(rng, rng.randrange(1, 14), [hood.slug, other.slug])
    report = await import_roll(db_session, None, bulk.id, text)
    expected = await _row_by_row(db_session, reference.id, text)
    assert (report.added, report.updated, [r.line for r in report.rejected]) == expected, text
    assert await _roll(db_session, bulk.id) == await _roll(db_session, reference.id), text


async def test_a_large_roll_is_merged_with_its_updates_and_its_rejections(db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, _ = await make_open_ballot(db_session, hood, moderator)
    assert ballot.id is not None
    rows = "".join(f"v{n}@example.org,{n},1980-01-01,{hood.slug}\n" for n in range(3000))
    first = await import_roll(db_session, None, ballot.id, "email,id,birth_date,quartier\n" + rows + "bad,,,\n")
    assert (first.added, first.updated, [r.line for r in first.rejected]) == (3000, 0, [3002])
    again = await import_roll(db_session, None, ballot.id, "email;date de naissance\nv7@example.org;02/03/1990\n")
    assert (again.added, again.updated) == (0, 1)
    assert ("v7@example.org", "7", date(1990, 3, 2), hood.id) in await _roll(db_session, ballot.id)
