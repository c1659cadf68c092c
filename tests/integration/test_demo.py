"""The demo city: French texts, a published past ballot whose stored result is the engine's, and a second seeding
that creates nothing."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text
from sqlmodel import select

from ballots.models import Ballot
from voting.audit.service import verify_log
from voting.demo import BALLOT_DESCRIPTION, FEASIBILITY_NOTE, PROPOSALS, seed_demo
from voting.models import AuditEntry
from voting.proposals.demo_seed import WAITING_FOR_REVIEW
from voting.proposals.models import Proposal
from voting.results.demo_seed import PAST_BALLOT_BUDGET, PAST_BALLOT_TITLE, VOTER_GROUPS, demo_voters
from voting.results.document import BallotInput, ProjectInput, build_election, group, run_tally
from voting.results.models import BallotResult
from voting.results.service import ballot_contents, ballot_input, ballot_projects
from voting.tally import tally

pytestmark = pytest.mark.anyio

TABLES = ["account", "role_grant", "proposal", "proposal_support", "ballot", "ballot_proposal", "voter_roll_entry",
          "participation", "vote", "vote_leaf", "vote_checkpoint", "ballot_result", "audit_entry", "process_phase"]
ENGLISH = re.compile(r"\b(the|and|with|for|of|along|trees|garden)\b", re.IGNORECASE)


async def row_counts(session) -> dict[str, int]:
    return {table: (await session.exec(text(f"SELECT count(*) FROM {table}"))).one()[0] for table in TABLES}


async def past_ballot(session) -> Ballot:
    return (await session.exec(select(Ballot).where(Ballot.title == PAST_BALLOT_TITLE))).one()


def test_demo_texts_are_french():
    texts = [(summary, f"{summary}\n\n{detail}") for _, _, _, summary, detail, _ in PROPOSALS]
    texts.append((WAITING_FOR_REVIEW[3], WAITING_FOR_REVIEW[4]))
    for summary, description in texts:
        assert not summary.startswith(("A ", "An ", "The ")), summary
        assert not ENGLISH.search(description), description
        assert 1 <= len(description.split("\n\n")) <= 2
    for sentence in (BALLOT_DESCRIPTION, FEASIBILITY_NOTE):
        assert not ENGLISH.search(sentence), sentence


def test_demo_voters_are_deterministic_and_vote_for_montferrand_proposals():
    montferrand = {title for slug, _, title, *_ in PROPOSALS if slug == "montferrand"}
    assert {title for _, likes in VOTER_GROUPS for title in likes} <= montferrand
    voters = demo_voters()
    assert voters == demo_voters() and 24 <= len(voters) <= 60
    assert len({voter.email for voter in voters}) == len(voters)
    assert len({voter.approves for voter in voters}) > 10  # the votes differ
    assert all(voter.approves for voter in voters)


async def test_seeding_twice_creates_nothing(db_session):
    first = await seed_demo(db_session)
    counts = await row_counts(db_session)
    second = await seed_demo(db_session)
    assert await row_counts(db_session) == counts
    assert "(0 new)" in second  # the session's database may already hold a city seeded by a CLI test
    ballot = await past_ballot(db_session)
    assert f"published ballot #{ballot.id} «{PAST_BALLOT_TITLE}»" in first and f"#{ballot.id}" in second
    assert len((await db_session.exec(select(Ballot).where(Ballot.title == PAST_BALLOT_TITLE))).all()) == 1
    votes = (await db_session.exec(text("SELECT count(*) FROM vote WHERE ballot_id = :b").bindparams(b=ballot.id)))
    assert votes.one()[0] == len(demo_voters())
    proposal = (await db_session.exec(select(Proposal).where(Proposal.title == PROPOSALS[0][2]))).one()
    assert proposal.description == f"{PROPOSALS[0][3]}\n\n{PROPOSALS[0][4]}"
    assert proposal.feasibility_note == FEASIBILITY_NOTE


async def test_past_ballot_is_published_with_the_engines_result(db_session):
    await seed_demo(db_session)
    ballot = await past_ballot(db_session)
    assert ballot.status == "published" and ballot.rule == "equalshares/add1" and ballot.id is not None
    stored = await db_session.get(BallotResult, ballot.id)
    assert stored is not None
    document = json.loads(stored.document)
    assert document["votes_counted"] == len(demo_voters())

    # The stored selection is what the engine gives on the ballot box...
    info = ballot_input(ballot)
    projects = await ballot_projects(db_session, ballot.id)
    recount = run_tally(info, build_election(info, projects, await ballot_contents(db_session, ballot.id)))
    assert document["selected"] == list(recount.selected)

    # ...and on the demo voters' approvals read straight from the model, without the database.
    ids = {p.name: p.id for p in projects}
    contents = group({"projects": sorted(ids[title] for title in voter.approves)} for voter in demo_voters())
    offline = build_election(BallotInput(ballot.id, ballot.title, "approval", PAST_BALLOT_BUDGET,
                                         "equalshares/add1", ballot.tie_break),
                             [ProjectInput(p.id, p.name, p.cost) for p in projects], contents)
    assert list(tally(offline, "equalshares/add1", ballot.tie_break).selected) == document["selected"]
    # The budget cannot fund everything, and the proportional rule funds something else than greedy counting.
    assert sum(p.cost for p in projects) > PAST_BALLOT_BUDGET
    assert set(tally(offline, "greedy", ballot.tie_break).selected) != set(document["selected"])


async def test_past_ballot_went_through_the_real_lifecycle(db_session):
    await seed_demo(db_session)
    ballot = await past_ballot(db_session)
    actions = (await db_session.exec(select(AuditEntry.action).where(AuditEntry.subject == f"ballot:{ballot.id}")
                                     .order_by(AuditEntry.seq))).all()
    assert actions == ["ballot.created", "ballot.open", "ballot.closed", "ballot.checkpoint", "result.stored",
                       "ballot.tallied", "ballot.published", "followup.opened"]  # its funded projects' pages
    voters = len(demo_voters())
    leaves = (await db_session.exec(text("SELECT count(*), count(tree_index) FROM vote_leaf WHERE ballot_id = :b")
                                    .bindparams(b=ballot.id))).one()
    assert tuple(leaves) == (voters, voters)
    participants = (await db_session.exec(text("SELECT count(*) FROM participation WHERE ballot_id = :b")
                                          .bindparams(b=ballot.id))).one()[0]
    assert participants == voters
    assert (await verify_log(db_session))[1] is None


async def test_a_visitor_sees_the_results_bulletin_and_exports(client, db_session):
    await seed_demo(db_session)
    ballot = await past_ballot(db_session)
    stored = await db_session.get(BallotResult, ballot.id)
    assert stored is not None
    funded = [p["name"] for p in json.loads(stored.document)["projects"] if p["selected"]]
    page = await client.get(f"/ballots/{ballot.id}/results", headers={"accept-language": "fr"})
    assert page.status_code == 200
    assert all(name.replace("'", "&#39;") in page.text for name in funded)
    assert (await client.get(f"/ballots/{ballot.id}/bulletin")).status_code == 200
    exported = await client.get(f"/ballots/{ballot.id}/exports/election.pb")
    assert exported.status_code == 200 and "equalshares/add1" in exported.text
