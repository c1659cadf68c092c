"""A mistyped paper vote is corrected before the close by a moderator of the ballot, with a reason: the voter's
vote is replaced, the audit log names the moderator, the ballot and the reason, never the vote or the voter."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.ballot_factories import make_voter
from tests.factories import bearer
from tests.integration.test_poll_officers import polling  # noqa: F401  (the fixture)
from voting.models import AuditEntry

pytestmark = pytest.mark.anyio
EN = {"accept-language": "en"}


async def test_a_moderator_corrects_a_paper_vote_with_a_reason(client, db_session, polling):  # noqa: F811
    ballot, ids = polling["ballot"], polling["ids"]
    voter, other = await make_voter(db_session, polling["hood"]), await make_voter(db_session, polling["hood"])
    officer = {**EN, **await bearer(client, polling["officer"].email)}
    moderator = {**EN, **await bearer(client, polling["moderator"].email)}
    base = f"/api/v1/ballots/{ballot.id}/paper-votes"
    entered = await client.post(base, json={"voter": voter.email, "projects": ids[:1]}, headers=officer)
    assert entered.status_code == 201, entered.text
    again = await client.post(base, json={"voter": voter.email, "projects": ids[1:2]}, headers=officer)
    assert again.status_code == 409  # a second entry is no way to correct the first

    body = {"voter": voter.email, "projects": ids[1:2], "reason": "officer ticked the wrong box"}
    by_officer = await client.post(f"{base}/corrections", json=body, headers=officer)
    assert by_officer.status_code == 403
    no_reason = await client.post(f"{base}/corrections", json=body | {"reason": ""}, headers=moderator)
    assert no_reason.status_code == 400 or no_reason.status_code == 422
    nothing_to_correct = await client.post(f"{base}/corrections", json=body | {"voter": other.email},
                                           headers=moderator)
    assert nothing_to_correct.status_code == 409 and "no paper vote" in nothing_to_correct.json()["detail"]
    corrected = await client.post(f"{base}/corrections", json=body, headers=moderator)
    assert corrected.status_code == 201, corrected.text
    assert corrected.json()["replaced_previous"] is True and corrected.json()["channel"] == "paper"

    entries = (await db_session.exec(select(AuditEntry).where(
        AuditEntry.action == "ballot.paper_vote_corrected", AuditEntry.subject == f"ballot:{ballot.id}"))).all()
    assert [e.data for e in entries] == [{"moderator": str(polling["moderator"].id), "ballot": ballot.id,
                                          "reason": "officer ticked the wrong box"}]
    participation = await db_session.exec(select(AuditEntry))  # the voter never appears in a correction entry
    assert not any(voter.email in str(e.data) for e in participation.all() if e.action.startswith("ballot.paper"))
