"""The proposals JSON API: bad input gets a clear 4xx with every reason and stores nothing; photos; OpenAPI."""

from __future__ import annotations

import pytest

from tests.proposal_factories import (
    JPEG,
    PNG,
    WEBP,
    audit_of,
    auth,
    counts,
    insert_proposal,
    make_cast,
    proposal_body,
)

pytestmark = pytest.mark.anyio

API = "/api/v1/proposals"


@pytest.mark.parametrize(("changes", "reason"), [
    ({"title": ""}, "Title is required."),
    ({"title": "x" * 161}, "Title is too long (at most 160 characters)."),
    ({"summary": "x" * 501}, "Summary is too long (at most 500 characters)."),
    ({"description": "x" * 10_001}, "Description is too long (at most 10000 characters)."),
    ({"estimated_cost": None}, "Estimated cost is required."),
    ({"estimated_cost": 0}, "Estimated cost must be a positive number of euros."),
    ({"estimated_cost": -300}, "Estimated cost must be a positive number of euros."),
    ({"estimated_cost": 10_000_001}, "Estimated cost cannot be more than 10000000 euros."),
    ({"estimated_cost": 9 * 10**30}, "Estimated cost cannot be more than 10000000 euros."),
    ({"category": "casino"}, "Unknown category casino."),
    ({"neighbourhood_id": 987654}, "Unknown neighbourhood 987654."),
    ({"latitude": 45.77}, "Give both latitude and longitude, or neither."),
])
async def test_bad_fields_are_422_and_store_nothing(client, db_session, changes, reason):
    cast = await make_cast(db_session)
    headers = await auth(client, cast.citizen)
    before = await counts(db_session)
    response = await client.post(API, json={**proposal_body(cast.hood), **changes, "submit": True}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["extra"] == [reason]
    assert await counts(db_session) == before


async def test_every_reason_at_once(client, db_session):
    cast = await make_cast(db_session)
    headers = await auth(client, cast.citizen)
    response = await client.post(API, json={"title": "", "summary": "", "estimated_cost": -1, "submit": True},
                                 headers=headers)
    assert response.status_code == 422
    assert len(response.json()["extra"]) == 5
    draft = await client.post(API, json={"title": "", "summary": "", "estimated_cost": -1}, headers=headers)
    assert draft.json()["extra"] == ["Title is required.", "Estimated cost must be a positive number of euros."]


async def test_wrong_json_types_are_4xx(client, db_session):
    cast = await make_cast(db_session)
    headers = await auth(client, cast.citizen)
    for body in ({**proposal_body(cast.hood), "estimated_cost": "lots"}, {"title": ["x"]}):
        response = await client.post(API, json=body, headers=headers)
        assert response.status_code == 400
    assert (await client.post(API, content=b"{not json", headers=headers)).status_code == 400


async def test_html_payloads_are_stored_as_text(client, db_session):
    cast = await make_cast(db_session)
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = await client.post(API, json=proposal_body(cast.hood, title=payload[:160], description=payload),
                                 headers=await auth(client, cast.citizen))
    assert response.status_code == 201
    assert response.json()["title"] == payload[:160]


async def test_editing_is_for_the_proposer_and_only_in_editable_states(client, db_session):
    cast = await make_cast(db_session)
    submitted = await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")
    draft = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    citizen, neighbour = await auth(client, cast.citizen), await auth(client, cast.neighbour)
    before = await counts(db_session)
    assert (await client.put(f"{API}/{submitted.id}", json=proposal_body(cast.hood), headers=citizen)).status_code \
        == 409
    assert (await client.put(f"{API}/{draft.id}", json=proposal_body(cast.hood), headers=neighbour)).status_code \
        == 404
    bad = await client.put(f"{API}/{draft.id}", json=proposal_body(cast.hood, estimated_cost=0), headers=citizen)
    assert bad.status_code == 422
    assert await counts(db_session) == before


async def test_drafts_are_private(client, db_session):
    cast = await make_cast(db_session)
    draft = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    assert (await client.get(f"{API}/{draft.id}")).status_code == 404
    assert (await client.get(f"{API}/{draft.id}", headers=await auth(client, cast.neighbour))).status_code == 404
    assert (await client.get(f"{API}/{draft.id}", headers=await auth(client, cast.citizen))).status_code == 200
    assert (await client.get(f"{API}/{draft.id}", headers=await auth(client, cast.moderator))).status_code == 200


@pytest.mark.parametrize(("content", "kind"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")])
async def test_photo_upload_is_served_with_its_sniffed_type(client, db_session, content, kind):
    cast = await make_cast(db_session)
    draft = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    headers = await auth(client, cast.citizen)
    response = await client.put(f"{API}/{draft.id}/photo", files={"photo": ("holiday.txt", content, "text/plain")},
                                headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["photo_url"] == f"/proposals/{draft.id}/photo"
    served = await client.get(f"/proposals/{draft.id}/photo", headers=headers)
    assert served.status_code == 200
    assert served.headers["content-type"] == kind
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.content == content
    (entry,) = [e for e in await audit_of(db_session, f"proposal:{draft.id}") if e.action == "proposal.photo_set"]
    assert entry.data["content_type"] == kind
    assert (await client.get(f"/proposals/{draft.id}/photo")).status_code == 404  # drafts are private


@pytest.mark.parametrize(("content", "status"), [
    (b"GIF89a" + b"\x00" * 40, 422),
    (b"<svg onload=alert(1)></svg>", 422),
    (b"not an image at all, despite the name", 422),
    (PNG + b"\x00" * (5 * 1024 * 1024), 413),
])
async def test_fake_or_oversized_photos_are_refused_and_store_nothing(client, db_session, content, status):
    cast = await make_cast(db_session)
    draft = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    headers = await auth(client, cast.citizen)
    before = await counts(db_session)
    response = await client.put(f"{API}/{draft.id}/photo", files={"photo": ("photo.png", content, "image/png")},
                                headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["detail"]
    assert await counts(db_session) == before
    assert (await client.get(f"/proposals/{draft.id}/photo", headers=headers)).status_code == 404


async def test_photo_of_a_proposal_under_review_cannot_change(client, db_session):
    cast = await make_cast(db_session)
    submitted = await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")
    response = await client.put(f"{API}/{submitted.id}/photo", files={"photo": ("p.png", PNG, "image/png")},
                                headers=await auth(client, cast.citizen))
    assert response.status_code == 409


async def test_openapi_lists_the_proposal_endpoints(client):
    schema = (await client.get("/schema/openapi.json")).json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()
                  if isinstance(op, dict) and "operationId" in op}
    assert {"listProposals", "createProposal", "getProposal", "updateProposal", "transitionProposal",
            "setProposalPhoto", "supportProposal", "removeProposalSupport", "listReviewQueue", "listMyProposals",
            "getProposalHistory", "setBallotShortlist", "getBallotShortlist"} <= operations
