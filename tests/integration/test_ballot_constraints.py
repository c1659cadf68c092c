"""Tally constraints through the API: refused with clear 422s (in French too), stored resolved, honoured by the
published result (an incompatible design passed over, the trees quota funded first), explained on the results page."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.ballot_factories import make_category, make_proposal, make_voter
from tests.factories import bearer, make_account, make_neighbourhood
from voting.results.service import export_files
from voting.results.signing import public_keys_from_json
from voting.results.verify import verify_export

pytestmark = pytest.mark.anyio


async def test_constraints_are_validated_stored_and_honoured(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    a1, a2, square = [await make_proposal(db_session, hood, moderator, 30_000) for _ in range(3)]
    trees = await make_proposal(db_session, hood, moderator, 20_000)
    trees.category = await make_category(db_session)
    db_session.add(trees)
    await db_session.flush()
    now = datetime.now(UTC)
    constraints = {"incompatible": [{"name": "Place du marché", "projects": [a1.id, a2.id]}],
                   "min_shares": [{"name": "trees", "category": trees.category, "percent": 20}]}
    body = {"neighbourhood_id": hood.id, "title": "Budget vert", "budget": 100_000, "vote_format": "approval",
            "proposal_ids": [a1.id, a2.id, square.id, trees.id], "rule": "greedy", "constraints": constraints,
            "requires_residence": False, "requires_verified": False, "min_age": None,
            "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=3)).isoformat()}
    headers = await bearer(client, moderator.email)
    for changes, codes in (
            ({"incompatible": [{"projects": [a1.id, 999_999_999]}]}, {"constraints.project"}),
            ({"min_shares": [{"category": trees.category, "percent": 150}]}, {"constraints.percent"}),
            ({"sub_budgets": [{"projects": [a1.id], "amount": 60_000}, {"projects": [a2.id], "amount": 60_000}]},
             {"constraints.sub_budgets"}),
            ({"max_shares": [{"category": "no-such-category", "percent": 10}]}, {"constraints.empty"})):
        refused = await client.post("/api/v1/ballots", json=body | {"constraints": changes},
                                    headers={"accept-language": "fr", **headers})
        assert refused.status_code == 422, refused.text
        assert {r["code"] for r in refused.json()["extra"]} == codes
        assert all(r["message"].startswith(("Le ", "La ", "Les ")) for r in refused.json()["extra"]), refused.text
    created = await client.post("/api/v1/ballots", json=body, headers=headers)
    assert created.status_code == 201, created.text
    ballot = created.json()
    assert ballot["constraints"]["min_shares"][0]["projects"] == [trees.id]  # the category, resolved
    path = f"/api/v1/ballots/{ballot['id']}"
    changed = await client.patch(path, json={"constraints": {"max_shares": [{"projects": [a1.id], "percent": -5}]}},
                                 headers={"accept-language": "fr", **headers})
    assert changed.status_code == 422 and changed.json()["extra"][0]["code"] == "constraints.percent"
    cleared = await client.patch(path, json={"constraints": None}, headers=headers)
    assert cleared.status_code == 200 and cleared.json()["constraints"] is None
    again = await client.patch(path, json={"constraints": constraints}, headers=headers)
    assert again.status_code == 200 and again.json()["constraints"] == ballot["constraints"]
    assert (await client.post(f"{path}/transitions/open", headers=headers)).status_code == 200
    for choice in [[a1.id, a2.id, square.id]] * 4 + [[trees.id]]:
        voter = await make_voter(db_session, hood)
        cast = await client.post(f"{path}/votes", json={"projects": choice}, headers=await bearer(client, voter.email))
        assert cast.status_code == 201, cast.text
    assert (await client.post(f"{path}/transitions/closed", headers=headers)).status_code == 200
    tallied = await client.post(f"{path}/tally", headers=headers)
    assert tallied.status_code == 200, tallied.text
    result = tallied.json()
    # without constraints greedy funds a1, a2 and the square (90 000); the trees quota goes first instead
    assert result["selected"] == [str(trees.id), str(a1.id), str(square.id)]
    by_id = {p["id"]: p["explanation"] for p in result["projects"]}
    assert by_id[str(a2.id)]["code"] == "incompatible" and by_id[str(a2.id)]["with"] == str(a1.id)
    assert by_id[str(trees.id)]["code"] == "quota-selected"
    assert (await client.post(f"{path}/publish", headers=headers)).status_code == 200
    english = (await client.get(f"/ballots/{ballot['id']}/results", headers={"accept-language": "en"})).text
    assert f"Not funded: incompatible with {a1.title}" in english
    assert "Funded first under the trees quota" in english
    french = (await client.get(f"/ballots/{ballot['id']}/results", headers={"accept-language": "fr"})).text
    assert f"Non financé : incompatible avec {a1.title}" in french
    assert "quota trees" in french
    assert "Le quota trees : au moins 20" in french and "Place du marché" in french
    # the signed export verifies offline: the recount honours the constraints result.json carries
    files = await export_files(db_session, None, ballot["id"])
    assert json.loads(files["result.json"])["constraints"]["incompatible"][0]["projects"] == [a1.id, a2.id]
    assert verify_export(files, public_keys_from_json(files["keys.json"].decode())) == []
