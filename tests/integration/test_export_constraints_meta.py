"""A ballot with a threshold and every kind of constraint, counted and exported by the app: election.pb's META
states the rule, satisfaction, tie-break, threshold and constraints (projects by the file's ids), pabulib-checker
finds no error, a recount from the file alone selects what was published, and the export verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.ballot_factories import make_category, make_proposal, make_voter
from tests.factories import bearer, make_account, make_neighbourhood
from tests.unit.test_results_export_constraints import checker_errors
from voting.results.exports import recorded_tie_break
from voting.results.pbexport import recorded_constraints, recorded_recount
from voting.results.service import export_files
from voting.results.signing import public_keys_from_json
from voting.results.verify import verify_export
from voting.tally import parse_pabulib, tally
from voting.tally.constraints import with_constraints

pytestmark = pytest.mark.anyio


async def test_the_export_of_a_constrained_ballot_says_how_to_recount_it(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    a1, a2, square, bench = [await make_proposal(db_session, hood, moderator, cost)
                             for cost in (30_000, 30_000, 30_000, 5_000)]
    trees = await make_proposal(db_session, hood, moderator, 20_000)
    trees.category = await make_category(db_session)
    db_session.add(trees)
    await db_session.flush()
    now = datetime.now(UTC)
    constraints = {"incompatible": [{"name": "Place du marché", "projects": [a1.id, a2.id]}],
                   "min_shares": [{"name": "trees", "category": trees.category, "percent": 20}],
                   "max_shares": [{"name": "Grands projets", "projects": [a1.id, a2.id, square.id], "percent": 70}],
                   "sub_budgets": [{"name": "Square", "projects": [square.id], "amount": 40_000}]}
    body = {"neighbourhood_id": hood.id, "title": "Budget vert", "budget": 100_000, "vote_format": "approval",
            "proposal_ids": [a1.id, a2.id, square.id, bench.id, trees.id], "rule": "greedy-threshold",
            "min_project_score": 2, "min_voter_share": 30, "constraints": constraints,
            "requires_residence": False, "requires_verified": False, "min_age": None,
            "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=3)).isoformat()}
    headers = await bearer(client, moderator.email)
    created = await client.post("/api/v1/ballots", json=body, headers=headers)
    assert created.status_code == 201, created.text
    path = f"/api/v1/ballots/{created.json()['id']}"
    assert (await client.post(f"{path}/transitions/open", headers=headers)).status_code == 200
    for choice in [[a1.id, a2.id, square.id]] * 4 + [[trees.id, bench.id]] * 2 + [[bench.id]]:
        voter = await make_voter(db_session, hood)
        cast = await client.post(f"{path}/votes", json={"projects": choice}, headers=await bearer(client, voter.email))
        assert cast.status_code == 201, cast.text
    assert (await client.post(f"{path}/transitions/closed", headers=headers)).status_code == 200
    tallied = await client.post(f"{path}/tally", headers=headers)
    assert tallied.status_code == 200, tallied.text
    published = tallied.json()["selected"]
    assert (await client.post(f"{path}/publish", headers=headers)).status_code == 200
    files = await export_files(db_session, None, created.json()["id"])
    text = files["election.pb"].decode("utf-8")
    assert checker_errors(text) == {}
    pb = parse_pabulib(text)
    comment = pb.meta["comment"]
    for stated in ("greenballot rule: greedy-threshold (satisfaction: score = votes", "minimum score: 2",
                   "minimum share of voters: 30%", "greenballot tie-break: min-cost,max-votes,lexico",
                   f'incompatible "Place du marché" {{{a1.id},{a2.id}}}', f'minimum share 20% "trees" {{{trees.id}}}',
                   f'maximum share 70% "Grands projets" {{{a1.id},{a2.id},{square.id}}}',
                   f'sub-budget 40000 "Square" {{{square.id}}}'):
        assert stated in comment, stated
    assert pb.meta["rule"] == "unknown" and pb.meta["min_project_score_threshold"] == "3"  # 30% of 7 voters
    rule, share = recorded_recount(pb.meta)
    tie_break, election = recorded_tie_break(pb.meta), pb.election()
    again = with_constraints(election, recorded_constraints(pb.meta) or {},
                             lambda e: tally(e, rule, tie_break, min_share=share), tie_break,
                             min_score=election.threshold, min_share=share)
    assert sorted(again.selected) == sorted(published) == sorted(pb.selected_ids() or [])
    assert verify_export(files, public_keys_from_json(files["keys.json"].decode())) == []
