"""The sender against a real SMTP server: delivery (plain, STARTTLS with login), retries, giving up, outages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from tests.mail_server import PASSWORD, USER, self_signed, smtp_server
from tests.web.conftest import free_port
from voting.mail.models import OutboxMessage
from voting.mail.rules import MAX_ATTEMPTS, parse_smtp_url
from voting.mail.sender import send_due
from voting.mail.service import enqueue
from voting.mail.transport import SMTPTransport, SMTPUnavailable

pytestmark = pytest.mark.anyio
SENDER = "Ville de Testville <noreply@testville.example>"


async def queue(session_maker, *addresses: str, language: str = "fr") -> None:
    async with session_maker() as session:
        for address in addresses:
            await enqueue(session, to=address, kind="reset_password", language=language,
                          context={"name": "Camille", "link": "https://city.example/reset?t=xyz"})
        await session.commit()


async def row(session_maker, address: str) -> OutboxMessage:
    async with session_maker() as session:
        return (await session.exec(select(OutboxMessage).where(OutboxMessage.to_address == address))).one()


async def make_due(session_maker, address: str) -> None:
    async with session_maker() as session:
        await session.exec(text("UPDATE mail_outbox SET next_attempt_at = now() - interval '1 second' "
                                "WHERE to_address = :a").bindparams(a=address))
        await session.commit()


def plain(port: int) -> SMTPTransport:
    return SMTPTransport(parse_smtp_url(f"smtp://127.0.0.1:{port}"), timeout=10)


async def test_messages_are_delivered_as_text_and_html_and_marked_sent(session_maker):
    await queue(session_maker, "fr-reader@example.org")
    await queue(session_maker, "en-reader@example.org", language="en")
    with smtp_server() as mailbox:
        report = await send_due(session_maker, plain(mailbox.port), SENDER)
        (french,) = mailbox.to("fr-reader@example.org")
        (english,) = mailbox.to("en-reader@example.org")
    assert report.sent >= 2 and report.failed == 0
    stored = await row(session_maker, "fr-reader@example.org")
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 1, None)
    assert stored.sent_at is not None
    assert french["Subject"] == "Réinitialisez votre mot de passe" and english["Subject"] == "Reset your password"
    assert french["From"] == SENDER and french["To"] == "fr-reader@example.org"
    assert french["Message-ID"] == stored.message_id and french["Content-Language"] == "fr"
    assert french.get_content_type() == "multipart/alternative"
    assert "Bonjour Camille," in french.get_body(("plain",)).get_content()
    assert 'href="https://city.example/reset?t=xyz"' in french.get_body(("html",)).get_content()
    assert "t=xyz" not in stored.body_text + stored.body_html, "a delivered single-use link is not kept"
    with smtp_server() as mailbox:
        again = await send_due(session_maker, plain(mailbox.port), SENDER)
        assert mailbox.messages == [] and again.sent == 0, "a sent message is never sent again"


async def test_starttls_and_login_as_in_an_smtp_url(session_maker, tmp_path):
    server_tls, client_tls = self_signed(tmp_path)
    await queue(session_maker, "tls@example.org")
    with smtp_server(server_tls, login=True) as mailbox:
        target = parse_smtp_url(f"smtp://{USER}:{PASSWORD.replace(':', '%3A')}@127.0.0.1:{mailbox.port}")
        report = await send_due(session_maker, SMTPTransport(target, tls_context=client_tls, timeout=10), SENDER)
        assert len(mailbox.to("tls@example.org")) == 1 and mailbox.tls_sessions >= 1
    assert report.sent >= 1 and (await row(session_maker, "tls@example.org")).status == "sent"


async def test_a_refused_login_leaves_every_message_waiting(session_maker, tmp_path):
    server_tls, client_tls = self_signed(tmp_path)
    await queue(session_maker, "badlogin@example.org")
    with smtp_server(server_tls, login=True) as mailbox:
        target = parse_smtp_url(f"smtp://{USER}:wrong@127.0.0.1:{mailbox.port}")
        with pytest.raises(SMTPUnavailable, match="refused the login"):
            await send_due(session_maker, SMTPTransport(target, tls_context=client_tls, timeout=10), SENDER)
        assert mailbox.messages == []
    stored = await row(session_maker, "badlogin@example.org")
    assert (stored.status, stored.attempts) == ("pending", 0)


async def test_an_unreachable_server_loses_nothing_and_costs_no_attempt(session_maker):
    await queue(session_maker, "outage@example.org")
    with pytest.raises(SMTPUnavailable, match="cannot reach the SMTP server 127.0.0.1"):
        await send_due(session_maker, plain(free_port()), SENDER)
    stored = await row(session_maker, "outage@example.org")
    assert (stored.status, stored.attempts, stored.sent_at) == ("pending", 0, None)


async def test_a_refused_sender_is_the_settings_fault_not_the_messages(session_maker):
    await queue(session_maker, "relay@example.org")
    with smtp_server() as mailbox:
        mailbox.refuse_sender = "553 5.7.1 Sender address rejected: not owned by user"
        with pytest.raises(SMTPUnavailable, match="refused the sender noreply@testville.example: 553"):
            await send_due(session_maker, plain(mailbox.port), SENDER)
    stored = await row(session_maker, "relay@example.org")
    assert (stored.status, stored.attempts) == ("pending", 0)


async def test_a_temporary_refusal_is_retried_after_the_back_off_and_delivered_once(session_maker):
    await queue(session_maker, "later@example.org")
    with smtp_server() as mailbox:
        mailbox.refuse.append("451 4.3.0 Mailbox busy, try later")
        first = await send_due(session_maker, plain(mailbox.port), SENDER)
        stored = await row(session_maker, "later@example.org")
        assert first.retrying >= 1 and (stored.status, stored.attempts) == ("pending", 1)
        assert stored.last_error is not None and stored.last_error.startswith("451")
        assert stored.next_attempt_at > datetime.now(UTC) + timedelta(seconds=30)
        await send_due(session_maker, plain(mailbox.port), SENDER)
        assert mailbox.to("later@example.org") == [], "not before its next attempt"
        await make_due(session_maker, "later@example.org")
        await send_due(session_maker, plain(mailbox.port), SENDER)
        assert len(mailbox.to("later@example.org")) == 1
    stored = await row(session_maker, "later@example.org")
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 2, None)


async def test_a_permanent_refusal_fails_at_once(session_maker):
    await queue(session_maker, "nobody@example.org")
    with smtp_server() as mailbox:
        mailbox.refuse.append("550 5.1.1 No such user")
        report = await send_due(session_maker, plain(mailbox.port), SENDER)
    stored = await row(session_maker, "nobody@example.org")
    assert report.failed >= 1 and (stored.status, stored.attempts) == ("failed", 1)
    assert stored.last_error is not None and "No such user" in stored.last_error


async def test_one_bad_message_never_holds_up_the_others(session_maker):
    await queue(session_maker, "busy@example.org", "fine@example.org")
    async with session_maker() as session:  # an address stored before anyone checked it
        await session.exec(text("UPDATE mail_outbox SET to_address = 'broken@example.org\nBcc: x@example.org', "
                                "next_attempt_at = now() - interval '1 hour' WHERE to_address = 'busy@example.org'"))
        await session.commit()
    await queue(session_maker, "next@example.org")
    with smtp_server() as mailbox:
        mailbox.refuse.append("452 4.2.2 Mailbox full")  # for the first message that reaches the server
        await send_due(session_maker, plain(mailbox.port), SENDER)
        assert mailbox.to("fine@example.org") == []
        assert len(mailbox.to("next@example.org")) == 1, "the same connection still serves after a refusal"
    async with session_maker() as session:
        broken = (await session.exec(select(OutboxMessage).where(
            col(OutboxMessage.to_address).startswith("broken@")))).one()
    assert broken.status == "failed" and "cannot be written as a mail" in (broken.last_error or "")
    assert (await row(session_maker, "fine@example.org")).status == "pending"
    assert (await row(session_maker, "next@example.org")).status == "sent"


async def test_the_last_temporary_refusal_gives_up(session_maker):
    await queue(session_maker, "tired@example.org")
    async with session_maker() as session:
        await session.exec(text("UPDATE mail_outbox SET attempts = :n WHERE to_address = 'tired@example.org'")
                           .bindparams(n=MAX_ATTEMPTS - 1))
        await session.commit()
    with smtp_server() as mailbox:
        mailbox.refuse.append("421 4.7.0 Too many connections")
        await send_due(session_maker, plain(mailbox.port), SENDER)
    stored = await row(session_maker, "tired@example.org")
    assert (stored.status, stored.attempts) == ("failed", MAX_ATTEMPTS)


async def test_notifications_name_the_page_that_stops_them(session_maker):
    async with session_maker() as session:
        await enqueue(session, to="optin@example.org", kind="results_published", language="en",
                      context={"title": "Budget", "link": "https://v.example/ballots/1/results",
                               "account_link": "https://v.example/account"})
        await session.commit()
    await queue(session_maker, "transactional@example.org")
    with smtp_server() as mailbox:
        await send_due(session_maker, plain(mailbox.port), SENDER)
        (notification,) = mailbox.to("optin@example.org")
        (transactional,) = mailbox.to("transactional@example.org")
    assert notification["List-Unsubscribe"] == "<http://127.0.0.1:8000/account>"
    assert transactional["List-Unsubscribe"] is None


async def test_limit_sends_the_oldest_first(session_maker):
    addresses = [f"batch{n}@example.org" for n in range(3)]
    await queue(session_maker, *addresses)
    async with session_maker() as session:
        pending = (await session.exec(select(OutboxMessage.to_address).where(OutboxMessage.status == "pending")
                                      .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id)))).all()
    with smtp_server() as mailbox:
        report = await send_due(session_maker, plain(mailbox.port), SENDER, limit=2)
        assert report.sent == 2 and [r[0] for r, _ in mailbox.messages] == list(pending[:2])
