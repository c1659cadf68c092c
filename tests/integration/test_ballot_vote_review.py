"""The vote screen without JavaScript: cards with summary and neighbourhood, a review step before the final submit,
refusals beside their control, "change my choice" keeping the choice, and the other formats' controls."""

from __future__ import annotations

import re

import pytest

from tests.ballot_factories import make_open_ballot, make_voter
from tests.factories import browser_login, make_account, make_neighbourhood, post_form

pytestmark = pytest.mark.anyio
EN = {"accept-language": "en"}


async def voting(client, db_session, **fields):  # type: ignore[no-untyped-def]
    hood = await make_neighbourhood(db_session)
    moderator = await make_account(db_session, "moderator", neighbourhoods=[hood.slug])
    ballot, ids = await make_open_ballot(db_session, hood, moderator, **fields)
    await browser_login(client, (await make_voter(db_session, hood)).email)
    return hood, ballot, ids


def section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


async def test_cards_review_then_cast(client, db_session):
    hood, ballot, ids = await voting(client, db_session)
    page = await client.get(f"/ballots/{ballot.id}/vote", headers=EN)
    assert page.text.count('data-testid="project-card"') == len(ids)
    assert hood.name_en in page.text and "<details" in page.text and f'href="/proposals/{ids[0]}"' in page.text
    assert 'aria-live="polite"' in page.text and 'id="budget-bar"' in page.text

    review = await post_form(client, f"/ballots/{ballot.id}/vote", {
        "projects": [str(ids[0]), str(ids[1])], "action": "review", "idempotency_key": "k-review"}, headers=EN)
    assert review.status_code == 200 and "Review your vote" in review.text
    listed = section(review.text, 'data-testid="review-list"', "</ul>")
    assert listed.count("<li>") == 2
    assert 'name="idempotency_key" value="k-review"' in review.text
    assert f'name="projects" value="{ids[0]}"' in review.text and 'value="vote"' in review.text

    back = await post_form(client, f"/ballots/{ballot.id}/vote", {
        "projects": [str(ids[0]), str(ids[1])], "action": "edit", "idempotency_key": "k-review"}, headers=EN)
    assert back.status_code == 200 and 'data-prefilled="1"' in back.text
    assert re.search(rf'value="{ids[0]}"[^>]*checked', back.text) and not re.search(rf'value="{ids[2]}"[^>]*checked',
                                                                                      back.text)
    cast = await post_form(client, f"/ballots/{ballot.id}/vote", {
        "projects": [str(ids[0]), str(ids[1])], "action": "vote", "idempotency_key": "k-review"}, headers=EN)
    assert cast.status_code == 200 and 'data-testid="receipt-code"' in cast.text
    assert 'id="receipt" class="receipt" tabindex="-1"' in cast.text


async def test_a_refused_review_puts_the_message_beside_the_control(client, db_session):
    _, ballot, ids = await voting(client, db_session, max_projects=2)
    over = await post_form(client, f"/ballots/{ballot.id}/vote", {
        "projects": [str(ids[0]), str(ids[3])], "action": "review"}, headers=EN)  # type: ignore[dict-item]
    assert over.status_code == 422 and "Review your vote" not in over.text
    assert "over the budget" in section(over.text, 'id="budget-messages"', "</div>")
    many = await post_form(client, f"/ballots/{ballot.id}/vote", {
        "projects": [str(i) for i in ids[:3]], "action": "review"}, headers=EN)  # type: ignore[dict-item]
    assert "Choose at most 2 projects." in section(many.text, 'id="choice-messages"', "</div>")
    assert re.search(rf'value="{ids[2]}"[^>]*checked', many.text)  # what was chosen stays chosen
    none = await post_form(client, f"/ballots/{ballot.id}/vote", {"action": "review"}, headers=EN)
    assert none.status_code == 422 and "Choose at least 1 project." in section(none.text, 'id="choice-messages"',
                                                                                 "</div>")


async def test_points_and_ranks_controls(client, db_session):
    _, ballot, ids = await voting(client, db_session, vote_format="cumulative", total_points=5)
    page = await client.get(f"/ballots/{ballot.id}/vote", headers=EN)
    assert page.text.count('class="points"') == len(ids) and 'id="points-left"' in page.text
    review = await post_form(client, f"/ballots/{ballot.id}/vote", {
        f"points_{ids[0]}": "3", f"points_{ids[1]}": "2", "action": "review"}, headers=EN)
    assert review.status_code == 200 and "3 points" in review.text
    assert f'name="points_{ids[0]}" value="3"' in review.text
    too_many = await post_form(client, f"/ballots/{ballot.id}/vote", {
        f"points_{ids[0]}": "4", f"points_{ids[1]}": "2", "action": "review"}, headers=EN)
    assert "the limit is 5" in section(too_many.text, 'id="points-messages"', "</div>")

    _, ranked, rids = await voting(client, db_session, vote_format="ranked", max_ranks=2)
    review = await post_form(client, f"/ballots/{ranked.id}/vote", {
        "rank_1": str(rids[2]), "rank_2": str(rids[0]), "action": "review"}, headers=EN)
    assert review.status_code == 200
    assert f'name="rank_1" value="{rids[2]}"' in review.text and f'name="rank_2" value="{rids[0]}"' in review.text
    cast = await post_form(client, f"/ballots/{ranked.id}/vote", {
        "rank_1": str(rids[2]), "rank_2": str(rids[0]), "action": "vote"}, headers=EN)
    assert cast.status_code == 200 and 'data-testid="receipt-code"' in cast.text


async def test_the_ballot_page_shows_the_same_cards(client, db_session):
    hood, ballot, ids = await voting(client, db_session)
    page = await client.get(f"/ballots/{ballot.id}", headers=EN)
    listed = section(page.text, 'data-testid="ballot-projects"', "</ul>")
    assert listed.count('data-testid="project-card"') == len(ids) and hood.name_en in listed
    assert f'href="/proposals/{ids[0]}"' in listed and "<details" in listed and "<input" not in listed
