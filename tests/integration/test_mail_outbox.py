"""The outbox: messages are written in the caller's transaction, in the recipient's language, by the moments
that cause them (a review, a ballot opening or publishing) — and never carry a vote or a receipt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from auth.models import Account
from auth.principal import Principal
from ballots.service import change_status
from ballots.votes import cast_online
from tests.ballot_factories import make_open_ballot, make_voter
from tests.proposal_factories import insert_proposal, make_ballot, make_cast, quick_account
from voting.admin.settings import update_city_settings
from voting.mail.models import OutboxMessage
from voting.mail.service import enqueue
from voting.proposals.service import act_on_proposal
from voting.results.service import CLI_PRINCIPAL, publish_ballot, tally_ballot

pytestmark = pytest.mark.anyio


def principal_of(account: Account, role: str, hoods: tuple[int, ...] = ()) -> Principal:
    return Principal(account.id, account.email, account.display_name, frozenset({role}), frozenset(hoods),
                     verified=True, email_confirmed=True)


async def outbox(session, **where) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.id))
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list((await session.exec(query)).all())


async def resident(session, hood, *, language=None, ballots=False, results=False, confirmed=True) -> Account:
    account = await quick_account(session)
    account.neighbourhood_id = hood.id if hood else None
    account.language, account.notify_ballot_opened, account.notify_results = language, ballots, results
    account.email_confirmed_at = datetime.now(UTC) if confirmed else None
    session.add(account)
    await session.flush()
    return account


async def test_a_rolled_back_change_sends_nothing_and_a_committed_one_does(session_maker):
    async with session_maker() as session:
        await enqueue(session, to="camille@example.org", kind="confirm_email", language="en",
                      context={"name": "Camille", "link": "https://city.example/confirm?t=abc"})
        assert len(await outbox(session, to_address="camille@example.org")) == 1
        await session.rollback()
    async with session_maker() as session:
        assert await outbox(session, to_address="camille@example.org") == []
        await enqueue(session, to="camille@example.org", kind="confirm_email", language="en",
                      context={"name": "Camille", "link": "https://city.example/confirm?t=abc"})
        await session.commit()
    async with session_maker() as session:
        (message,) = await outbox(session, to_address="camille@example.org")
    assert (message.status, message.attempts, message.sent_at) == ("pending", 0, None)
    assert message.subject == "Confirm your e-mail address"
    assert "https://city.example/confirm?t=abc" in message.body_text
    assert 'href="https://city.example/confirm?t=abc"' in message.body_html
    assert message.message_id.startswith("<") and message.message_id.endswith("@127.0.0.1>")


async def test_messages_are_written_in_the_recipients_language(db_session):
    for language in ("fr", "en"):
        await enqueue(db_session, to=f"{language}@example.org", kind="reset_password", language=language,
                      context={"name": "Camille", "link": "https://city.example/reset?t=1"})
    (french,) = await outbox(db_session, to_address="fr@example.org")
    (english,) = await outbox(db_session, to_address="en@example.org")
    assert french.subject == "Réinitialisez votre mot de passe" and french.language == "fr"
    assert "Bonjour Camille," in french.body_text and "Budget participatif de" in french.body_text
    assert '<html lang="fr">' in french.body_html and "Choisir un nouveau mot de passe" in french.body_html
    assert english.subject == "Reset your password" and english.language == "en"
    assert "Hello Camille," in english.body_text and '<html lang="en">' in english.body_html


@pytest.mark.parametrize("language", ["", "de"])
async def test_no_language_means_the_citys_default(db_session, language):
    await update_city_settings(db_session, actor="test", actor_id=None,
                               changes={"default_language": "en", "city_name": "Testville"})
    await enqueue(db_session, to="nolang@example.org", kind="results_published", language=language,
                  context={"title": "Budget 2027", "link": "https://city.example/ballots/1/results"})
    (message,) = await outbox(db_session, to_address="nolang@example.org")
    assert message.language == "en" and message.subject == "Results published: Budget 2027"
    assert "Participatory budget of Testville" in message.body_text


async def test_html_is_escaped_and_subjects_cannot_inject_headers(db_session):
    await enqueue(db_session, to="x@example.org", kind="proposal_reviewed", language="en",
                  context={"title": "Trees <script>alert(1)</script>\r\nBcc: victim@example.org",
                           "decision": "rejected", "reason": "Too <b>dear</b>", "link": "https://c.example/p/1"})
    (message,) = await outbox(db_session, to_address="x@example.org")
    assert "<script>" not in message.body_html and "&lt;script&gt;" in message.body_html
    assert "Too &lt;b&gt;dear&lt;/b&gt;" in message.body_html
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "Too <b>dear</b>" in message.body_text  # plain text stays as typed


@pytest.mark.parametrize(("kind", "language", "context", "words"), [
    ("birthday", "en", {}, "unknown mail kind"),
    ("confirm_email", "en", {"name": "A"}, "link"),
    ("proposal_reviewed", "en", {"title": "T", "decision": "maybe", "reason": "", "link": "l"}, "decision"),
])
async def test_a_caller_mistake_is_refused_before_anything_is_written(db_session, kind, language, context, words):
    with pytest.raises(ValueError, match=words):
        await enqueue(db_session, to="y@example.org", kind=kind, language=language, context=context)
    with pytest.raises(ValueError, match="not an e-mail address"):
        await enqueue(db_session, to="y@example.org\nBcc: z@example.org", kind="confirm_email", language="en",
                      context={"name": "A", "link": "l"})
    assert await outbox(db_session, to_address="y@example.org") == []


@pytest.mark.parametrize(("action", "subject", "words"), [
    ("accept", "Votre proposition «\u202f{title}\u202f» a été acceptée", "a été acceptée par les modérateurs"),
    ("request_changes", "Votre proposition «\u202f{title}\u202f» est à modifier", "vous demandent de modifier"),
    ("reject", "Votre proposition «\u202f{title}\u202f» n'a pas été retenue", "n'ont pas retenu"),
])
async def test_the_proposer_learns_the_moderators_decision_and_reason(db_session, action, subject, words):
    cast = await make_cast(db_session)
    cast.citizen.language = "fr"
    db_session.add(cast.citizen)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")
    moderator = principal_of(cast.moderator, "moderator", (cast.hood.id,))
    await act_on_proposal(db_session, moderator, proposal.id, action, message="Le coût des bacs est sous-estimé.",
                          validated_cost=12_000 if action == "accept" else None)
    (message,) = await outbox(db_session, to_address=cast.citizen.email)
    assert message.kind == "proposal_reviewed" and message.account_id == cast.citizen.id
    assert message.subject == subject.format(title=proposal.title)
    assert words in message.body_text and "Le coût des bacs est sous-estimé." in message.body_text
    assert f"http://127.0.0.1:8000/proposals/{proposal.id}" in message.body_text


async def test_submitting_a_proposal_mails_nobody(db_session):
    cast = await make_cast(db_session)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen, status="draft")
    await act_on_proposal(db_session, principal_of(cast.citizen, "citizen"), proposal.id, "submit")
    assert await outbox(db_session, to_address=cast.citizen.email) == []


async def test_a_ballot_opening_tells_the_opted_in_residents_of_its_neighbourhood(db_session):
    cast = await make_cast(db_session)
    french = await resident(db_session, cast.hood, language="fr", ballots=True)
    english = await resident(db_session, cast.hood, language="en", ballots=True)
    default = await resident(db_session, cast.hood, ballots=True)
    not_asked = await resident(db_session, cast.hood, results=True)
    unconfirmed = await resident(db_session, cast.hood, ballots=True, confirmed=False)
    elsewhere = await resident(db_session, cast.other_hood, ballots=True)
    proposals = [await insert_proposal(db_session, cast.hood, cast.citizen, cost=cost) for cost in (30_000, 40_000)]
    ballot = await make_ballot(db_session, cast.hood, proposals=proposals)
    await change_status(db_session, principal_of(cast.moderator, "moderator", (cast.hood.id,)), ballot.id, "open")
    mailed = {m.to_address: m for m in await outbox(db_session, kind="ballot_opened")}
    assert set(mailed) >= {french.email, english.email, default.email}
    assert not set(mailed) & {not_asked.email, unconfirmed.email, elsewhere.email}
    assert mailed[french.email].subject == f"Le vote est ouvert\u202f: {ballot.title}"
    assert mailed[english.email].subject == f"Voting is open: {ballot.title}"
    assert mailed[default.email].language == "fr" and mailed[default.email].account_id == default.id
    assert f"http://127.0.0.1:8000/ballots/{ballot.id}" in mailed[english.email].body_text
    assert mailed[english.email].body_text.rstrip().endswith("account page.\nhttp://127.0.0.1:8000/account")
    assert 'href="http://127.0.0.1:8000/account"' in mailed[french.email].body_html
    ids = {m.message_id for m in mailed.values()}
    assert len(ids) == len(mailed)


async def test_a_city_wide_ballot_tells_every_neighbourhood(db_session):
    cast = await make_cast(db_session)
    here = await resident(db_session, cast.hood, ballots=True)
    there = await resident(db_session, cast.other_hood, ballots=True)
    nowhere = await resident(db_session, None, ballots=True)
    proposals = [await insert_proposal(db_session, cast.hood, cast.citizen, cost=cost) for cost in (30_000, 40_000)]
    ballot = await make_ballot(db_session, None, proposals=proposals)
    await change_status(db_session, principal_of(cast.admin, "admin"), ballot.id, "open")
    mailed = {m.to_address for m in await outbox(db_session, kind="ballot_opened")}
    assert {here.email, there.email, nowhere.email} <= mailed


async def test_no_mail_carries_a_vote_or_a_receipt_and_results_tell_who_asked(db_session):
    cast = await make_cast(db_session)
    voter = await make_voter(db_session, cast.hood)
    voter.notify_ballot_opened = voter.notify_results = True
    voter.email_confirmed_at = datetime.now(UTC)
    db_session.add(voter)
    ballot, project_ids = await make_open_ballot(db_session, cast.hood, cast.moderator)
    before = await outbox(db_session)
    principal = Principal(voter.id, voter.email, voter.display_name, frozenset({"citizen"}), verified=True,
                          birth_date=voter.birth_date, neighbourhood_id=cast.hood.id, email_confirmed=True)
    receipt = await cast_online(db_session, principal, ballot.id, {"projects": [project_ids[0]]})
    assert len(await outbox(db_session)) == len(before), "a vote must never cause a mail"
    ballot.closes_at = datetime.now(UTC) - timedelta(seconds=1)
    db_session.add(ballot)
    await db_session.flush()
    await tally_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    await publish_ballot(db_session, CLI_PRINCIPAL, ballot.id)
    results = await outbox(db_session, kind="results_published", to_address=voter.email)
    assert len(results) == 1 and f"/ballots/{ballot.id}/results" in results[0].body_text
    count = (await db_session.exec(select(func.count()).select_from(OutboxMessage).where(
        col(OutboxMessage.body_text).contains(receipt.receipt) | col(OutboxMessage.body_html).contains(receipt.receipt)
        | col(OutboxMessage.subject).contains(receipt.receipt)
        | col(OutboxMessage.body_text).contains(receipt.commitment)))).one()
    assert count == 0
    for message in await outbox(db_session, to_address=voter.email):
        assert f"/proposals/{project_ids[0]}" not in message.body_text + message.body_html


async def test_an_address_that_cannot_receive_mail_does_not_block_the_review(db_session):
    cast = await make_cast(db_session)
    cast.citizen.email = "nobody at all"
    db_session.add(cast.citizen)
    proposal = await insert_proposal(db_session, cast.hood, cast.citizen, status="submitted")
    moderator = principal_of(cast.moderator, "moderator", (cast.hood.id,))
    reviewed = await act_on_proposal(db_session, moderator, proposal.id, "reject", message="Hors périmètre.")
    assert reviewed.status == "rejected"
    assert await outbox(db_session, account_id=cast.citizen.id) == []
