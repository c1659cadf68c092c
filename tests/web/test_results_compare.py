"""The results page compares greedy, Equal Shares and Phragmén on the same votes, in English and French."""

from __future__ import annotations

import pytest

from tests.integration.test_results_service import SMALL, imported
from voting.results.service import CLI_PRINCIPAL, publish_ballot, tally_ballot

pytestmark = pytest.mark.anyio


async def test_results_page_compares_the_rules_once_published(client, db_session):
    ballot_id = await imported(db_session, SMALL[4])  # Mechanical Turk Knapsack 3: approval, 77 voters
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot_id)
    page = await client.get(f"/ballots/{ballot_id}/results")
    assert page.status_code == 200
    section = page.text.split('data-testid="compare-rules"')[1].split("</section>")[0]
    for name in ("Greedy (most votes first)", "Equal Shares", "Phragmén", "Money spent per voter"):
        assert name in section
    assert section.count("<tr>") >= 3 + 2  # a row per rule (plus the header), and at least one group
    french = await client.get(f"/ballots/{ballot_id}/results", headers={"accept-language": "fr"})
    assert "Comparer les règles" in french.text and "Parts égales" in french.text
    again = await client.get(f"/ballots/{ballot_id}/results")
    assert again.text == page.text
