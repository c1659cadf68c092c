"""A ballot's minimum score and minimum share of voters: validated at creation (a 422 naming why, in French
too), and honoured by the tally, whose results page explains "below the threshold"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.ballot_factories import make_proposal
from tests.factories import bearer, make_account, make_neighbourhood

pytestmark = pytest.mark.anyio


async def test_a_threshold_is_validated_at_creation(client, db_session):
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    accepted = await make_proposal(db_session, hood, moderator, 12_000)
    now = datetime.now(UTC)
    body = {"neighbourhood_id": hood.id, "title": "Budget vert", "budget": 50_000, "proposal_ids": [accepted.id],
            "vote_format": "approval", "rule": "equalshares", "min_project_score": 10, "min_voter_share": 5,
            "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=3)).isoformat()}
    for changes, codes in (({"min_voter_share": 101}, {"threshold.share"}),
                           ({"min_project_score": -1}, {"threshold.score"}),
                           ({"rule": "greedy"}, {"threshold.rule"}),
                           ({"rule": "phragmen", "min_project_score": None}, {"threshold.rule"})):
        headers = {"accept-language": "fr", **await bearer(client, moderator.email)}
        refused = await client.post("/api/v1/ballots", json=body | changes, headers=headers)
        assert refused.status_code == 422, refused.text
        assert {r["code"] for r in refused.json()["extra"]} == codes
        assert all(r["message"].startswith(("La ", "Le ")) for r in refused.json()["extra"])
    created = await client.post("/api/v1/ballots", json=body, headers=await bearer(client, moderator.email))
    assert created.status_code == 201, created.text
    assert (created.json()["min_project_score"], created.json()["min_voter_share"]) == (10, 5)


PB = ("META\nkey;value\ndescription;Threshold\ncountry;Poland\nunit;Warszawa\ninstance;2018\nnum_projects;3\n"
      "num_votes;5\nbudget;100\nvote_type;approval\nrule;greedy-threshold\nmin_project_score_threshold;2\n"
      "currency;PLN\ndate_begin;01.05.2018\ndate_end;31.05.2018\nPROJECTS\nproject_id;cost;votes;name;selected\n"
      "a;50;4;Park;1\nb;30;2;Bench;1\nc;10;1;Fountain;0\nVOTES\nvoter_id;vote\n1;a,b\n2;a\n3;a,b\n4;a\n5;c\n")


async def test_results_page_explains_the_threshold_in_the_elections_currency(client, db_session):
    from voting.results.importer import import_pabulib
    from voting.results.service import CLI_PRINCIPAL, publish_ballot, tally_ballot

    ballot = await import_pabulib(db_session, PB)
    assert ballot.min_project_score == 2
    stored = await tally_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    assert stored.document["selected"] != [] and len(stored.document["selected"]) == 2  # c is below 2 votes
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    english = (await client.get(f"/ballots/{ballot.id}/results", headers={"accept-language": "en"})).text
    assert "below the required 2" in english and "PLN" in english and "€" not in english
    french = (await client.get(f"/ballots/{ballot.id}/results", headers={"accept-language": "fr"})).text
    assert "inférieur au seuil de 2" in french and "PLN" in french
    turnout = (await client.get(f"/ballots/{ballot.id}", headers={"accept-language": "en"})).text
    assert "Imported from a Pabulib file: 5." in turnout
