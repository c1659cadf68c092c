"""``/dev/mail``: the demo's mailbox lists what the city sent and shows each message; elsewhere it is a 404."""

from __future__ import annotations

import dataclasses
import html

import httpx
import pytest
from sqlmodel import select

from voting.mail.models import OutboxMessage
from voting.mail.sender import send_due, transport_for
from voting.mail.service import enqueue
from voting.mail.transport import DevMailbox

pytestmark = pytest.mark.anyio


@pytest.fixture
async def demo_client(test_settings, session_maker):  # type: ignore[no-untyped-def]
    from voting.app import create_app

    app = create_app(dataclasses.replace(test_settings, demo=True), session_maker=session_maker)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                     headers={"accept-language": "en"}) as http:
            yield http


async def test_the_demo_without_smtp_delivers_to_its_own_mailbox(test_settings, session_maker, demo_client):
    demo = dataclasses.replace(test_settings, demo=True)
    assert isinstance(transport_for(demo), DevMailbox)
    assert transport_for(test_settings) is None, "plain serve without SMTP keeps mail waiting"
    async with session_maker() as session:
        await enqueue(session, to="camille@example.org", kind="proposal_reviewed", language="en",
                      context={"title": "Rain garden <b>", "decision": "changes_requested",
                               "reason": "Say where the beds go.", "link": "http://127.0.0.1:8000/proposals/7"})
        await enqueue(session, to="reset@example.org", kind="reset_password", language="en",
                      context={"name": "Camille", "link": "http://127.0.0.1:8000/password-reset/new?token=t0k"})
        await session.commit()
    report = await send_due(session_maker, DevMailbox(), demo.mail_from)
    assert report.sent >= 1
    async with session_maker() as session:
        message = (await session.exec(select(OutboxMessage).where(
            OutboxMessage.to_address == "camille@example.org"))).one()
        reset = (await session.exec(select(OutboxMessage).where(OutboxMessage.to_address == "reset@example.org"))).one()
    assert message.status == "sent"
    assert reset.status == "sent" and "token=t0k" in reset.body_text, "the demo's mailbox is the only copy: kept"

    listing = await demo_client.get("/dev/mail")
    assert listing.status_code == 200
    assert "camille@example.org" in listing.text
    assert "Your proposal “Rain garden &lt;b&gt;” needs changes" in listing.text
    assert f'href="/dev/mail/{message.id}"' in listing.text and "delivered" in listing.text

    shown = await demo_client.get(f"/dev/mail/{message.id}")
    assert shown.status_code == 200
    assert "Say where the beds go." in shown.text and html.escape(message.message_id) in shown.text
    assert 'sandbox title="HTML" srcdoc="&lt;!DOCTYPE html&gt;' in shown.text  # the HTML body, inert and escaped

    french = await demo_client.get("/dev/mail", headers={"accept-language": "fr"})
    assert "Boîte aux lettres de la démo" in french.text and "distribué" in french.text
    missing = await demo_client.get("/dev/mail/999999999")
    assert missing.status_code == 404 and "No such message." in missing.text


async def test_outside_the_demo_there_is_no_mailbox(client, test_settings):
    assert not test_settings.demo
    for path in ("/dev/mail", "/dev/mail/1"):
        answer = await client.get(path)
        assert answer.status_code == 404
    french = await client.get("/dev/mail", headers={"accept-language": "fr"})
    assert "Page introuvable." in french.text


async def test_a_demo_with_smtp_configured_sends_for_real_and_has_no_mailbox(test_settings, session_maker):
    from voting.app import create_app

    settings = dataclasses.replace(test_settings, demo=True, smtp_url="smtp://127.0.0.1:2525")
    app = create_app(settings, session_maker=session_maker)
    async with app.lifespan():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            assert (await http.get("/dev/mail")).status_code == 404
