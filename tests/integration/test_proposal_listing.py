"""The pages' list of proposals (straight from asyncpg) shows what the API's list shows, for every filter shape."""

from __future__ import annotations

import itertools

import pytest

from tests.proposal_factories import insert_proposal, make_cast
from voting.proposals.errors import ProposalInvalid
from voting.proposals.listing import list_cards
from voting.proposals.models import ProposalSupport
from voting.proposals.queries import list_proposals

pytestmark = pytest.mark.anyio


async def test_cards_agree_with_the_api_list_for_every_filter_shape(db_session):
    cast = await make_cast(db_session)
    made = [
        await insert_proposal(db_session, cast.hood, cast.citizen, category="garden", title="Pommiers de la place",
                              summary="Planter des arbres fruitiers"),
        await insert_proposal(db_session, cast.hood, cast.citizen, category="fruit-trees", status="submitted",
                              cost=7_000, title="Rain gardens", summary="Gardens that absorb the rain"),
        await insert_proposal(db_session, cast.other_hood, cast.citizen, category="garden", status="rejected",
                              title="Arbres et jardins", summary="Des arbres partout"),
        await insert_proposal(db_session, cast.hood, cast.citizen, status="draft", title="Brouillon d'arbres"),
    ]
    db_session.add_all([ProposalSupport(proposal_id=made[0].id, account_id=cast.citizen.id),
                        ProposalSupport(proposal_id=made[0].id, account_id=cast.neighbour.id),
                        ProposalSupport(proposal_id=made[1].id, account_id=cast.citizen.id)])
    await db_session.flush()
    checked = 0
    for hood, category, status, q in itertools.product(
            (None, cast.hood.id, cast.other_hood.id), (None, "garden"), (None, "accepted", "rejected"),
            (None, "arbre", "garden", "  ")):
        for page, per_page in ((1, 20), (1, 1), (2, 1), (5, 1)):
            options = {"neighbourhood_id": hood, "category": category, "status": status, "q": q, "page": page,
                       "per_page": per_page}
            expected = await list_proposals(db_session, **options)
            cards = await list_cards(db_session, **options)
            shown = [(row.proposal.id, row.proposal.title, row.proposal.status, row.proposal.neighbourhood_id,
                      row.proposal.validated_cost or row.proposal.estimated_cost, row.supports)
                     for row in expected.rows]
            assert [(c.id, c.title, c.status, c.neighbourhood_id, c.cost, c.supports) for c in cards.rows] == shown
            assert (cards.total, cards.pages) == (expected.total, expected.pages), options
            checked += bool(shown)
    assert checked > 20  # the shapes found something, not only empty lists
    assert {c.supports for c in (await list_cards(db_session, neighbourhood_id=cast.hood.id)).rows} == {2, 1}


async def test_cards_refuse_what_the_api_list_refuses(db_session):
    for options in ({"status": "draft"}, {"status": "nonsense"}, {"page": 0}, {"per_page": 101}):
        with pytest.raises(ProposalInvalid):
            await list_cards(db_session, **options)
