"""Ways a message leaves: an SMTP server (aiosmtplib), or the demo's local mailbox (kept in the outbox)."""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Protocol

from voting.mail.rules import SMTPTarget, is_permanent

__all__ = ["Transport", "SMTPTransport", "DevMailbox", "SMTPUnavailable", "Refused", "build_message"]


class SMTPUnavailable(Exception):
    """The server cannot be reached or dropped the connection: no message is to blame, try later."""


class Refused(Exception):
    """This one message cannot go now; ``code`` is the server's reply code when it gave one. Permanent refusals
    (5xx, or a message the server or the mail library cannot carry at all) are not tried again."""

    def __init__(self, message: str, code: int | None, *, permanent: bool | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.permanent = is_permanent(code) if permanent is None else permanent


class Transport(Protocol):
    keeps_copies: bool
    """True when the outbox row is the only copy the reader gets (the demo's mailbox): nothing is wiped."""

    async def open(self) -> None: ...
    async def send(self, message: EmailMessage) -> None: ...
    async def close(self) -> None: ...


OPT_IN_KINDS = ("ballot_opened", "results_published")


def build_message(row: Any, sender: str, public_url: str | None = None) -> EmailMessage:
    """A multipart/alternative message (plain text, then HTML) from an outbox row; a notification the resident
    asked for names the page where they stop it (``List-Unsubscribe``)."""
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = sender
    message["To"] = row.to_address
    message["Message-ID"] = row.message_id or make_msgid()
    if row.created_at is not None:
        message["Date"] = format_datetime(row.created_at)
    message["Auto-Submitted"] = "auto-generated"
    if public_url and row.kind in OPT_IN_KINDS:
        message["List-Unsubscribe"] = f"<{public_url}/account>"
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    message["Content-Language"] = row.language  # after the content: set_content replaces Content-* headers
    return message


class SMTPTransport:
    """One connection per sending run. ``smtp://`` upgrades with STARTTLS when the server offers it and insists
    on it on port 587; ``smtps://`` speaks TLS from the first byte. Certificates are verified."""

    keeps_copies = False

    def __init__(self, target: SMTPTarget, *, tls_context: ssl.SSLContext | None = None, timeout: float = 30) -> None:
        self.target = target
        self.tls_context = tls_context
        self.timeout = timeout
        self.client: Any = None

    def where(self) -> str:
        return f"{self.target.host}:{self.target.port}"

    async def open(self) -> None:
        import aiosmtplib

        target = self.target
        start_tls = None if target.implicit_tls or target.port != 587 else True
        self.client = aiosmtplib.SMTP(hostname=target.host, port=target.port, use_tls=target.implicit_tls,
                                      start_tls=False if target.implicit_tls else start_tls,
                                      tls_context=self.tls_context, timeout=self.timeout)
        try:
            await self.client.connect()
            if target.username:
                await self.client.login(target.username, target.password or "")
        except aiosmtplib.SMTPAuthenticationError as error:
            await self.close()
            raise SMTPUnavailable(f"the SMTP server {self.where()} refused the login: {error.code} "
                                  f"{_first_line(error.message)}") from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            await self.close()
            raise SMTPUnavailable(f"cannot reach the SMTP server {self.where()}: {_reason(error)}") from error

    async def send(self, message: EmailMessage) -> None:
        import aiosmtplib

        try:
            await self.client.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as error:
            refused = error.recipients[0] if error.recipients else None
            code = refused.code if refused else None
            raise Refused(f"{code} {_first_line(refused.message if refused else str(error))}", code) from error
        except aiosmtplib.SMTPSenderRefused as error:  # the server's rules, not the message: nothing is spent
            raise SMTPUnavailable(f"the SMTP server {self.where()} refused the sender {error.sender}: {error.code} "
                                  f"{_first_line(error.message)}") from error
        except aiosmtplib.SMTPResponseException as error:
            raise Refused(f"{error.code} {_first_line(error.message)}", error.code) from error
        except (OSError, TimeoutError) as error:  # disconnected, timed out, connection reset (SMTP errors too)
            raise SMTPUnavailable(f"the SMTP server {self.where()} failed: {_reason(error)}") from error
        except (aiosmtplib.SMTPException, ValueError) as error:  # e.g. a non-ASCII address without SMTPUTF8
            raise Refused(f"cannot be sent through {self.where()}: {_reason(error)}", None, permanent=True) from error

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except Exception:  # closing a broken connection: nothing more to do
                client.close()


class DevMailbox:
    """The demo without SMTP: a message counts as delivered where it already is, listed on ``/dev/mail``."""

    keeps_copies = True

    async def open(self) -> None:
        return None

    async def send(self, message: EmailMessage) -> None:
        return None

    async def close(self) -> None:
        return None


def _first_line(text: str) -> str:
    return (text.splitlines() or [""])[0][:300]


def _reason(error: BaseException) -> str:
    return _first_line(str(error)) or type(error).__name__
