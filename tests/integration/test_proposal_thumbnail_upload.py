"""A photo uploaded through the API gets its thumbnail at once; a photo Pillow cannot read is served whole."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.proposal_factories import auth, insert_proposal, make_cast

pytestmark = pytest.mark.anyio

API = "/api/v1/proposals"


async def test_the_thumbnail_is_made_at_upload(client, db_session):
    cast = await make_cast(db_session)
    draft = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    headers = await auth(client, cast.citizen)
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (30, 140, 60)).save(out, "PNG")
    uploaded = await client.put(f"{API}/{draft.id}/photo", files={"photo": ("garden.png", out.getvalue(), "image/png")},
                                headers=headers)
    assert uploaded.status_code == 200, uploaded.text
    small = await client.get(f"/proposals/{draft.id}/thumbnail", headers=headers)
    assert small.status_code == 200 and small.headers["content-type"] == "image/webp"
    assert small.headers["x-content-type-options"] == "nosniff"
    with Image.open(io.BytesIO(small.content)) as image:
        assert image.size == (480, 360)
    assert (await client.get(f"/proposals/{draft.id}/thumbnail")).status_code == 404  # drafts stay private


async def test_an_unreadable_photo_is_its_own_thumbnail(client, db_session):
    cast = await make_cast(db_session)
    draft = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    headers = await auth(client, cast.citizen)
    broken = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # a PNG by its first bytes, that Pillow cannot decode
    stored = await client.put(f"{API}/{draft.id}/photo", files={"photo": ("p.png", broken, "image/png")},
                              headers=headers)
    assert stored.status_code == 200, stored.text
    small = await client.get(f"/proposals/{draft.id}/thumbnail", headers=headers)
    assert small.status_code == 200 and small.content == broken and small.headers["content-type"] == "image/png"
