"""``greenballot mail send-pending``: deliver what the outbox holds now (for cron, or after an outage)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "send_pending", "mail_status", "mail_retry"]


def register(commands: Any) -> None:
    mail = commands.add_parser("mail", help="outgoing mail")
    actions = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)
    send = actions.add_parser("send-pending", help="send the mail that is due now through GREENBALLOT_SMTP_URL and "
                                                   "print how many were sent and failed")
    send.add_argument("--limit", type=int, default=None, metavar="N", help="send at most N messages")
    send.set_defaults(func=send_pending)
    status = actions.add_parser("status", help="how much mail waits, was sent and failed; the latest failures")
    status.set_defaults(func=mail_status)
    retry = actions.add_parser("retry", help="try failed mail again (all, or the given ids) and send waiting mail "
                                             "without waiting for its back-off")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID")
    retry.set_defaults(func=mail_retry)


def send_pending(args: argparse.Namespace) -> int:
    import asyncio

    from voting.commands.runtime import CLIError, prepare_database
    from voting.config import load_settings

    settings = load_settings()
    if not settings.smtp_url:
        raise CLIError("GREENBALLOT_SMTP_URL is not set (smtp://user:password@host:587 or smtps://host:465)")
    if args.limit is not None and args.limit < 1:
        raise CLIError("--limit must be at least 1", 2)
    from voting.mail.rules import parse_smtp_url
    from voting.mail.transport import SMTPTransport, SMTPUnavailable

    try:
        transport = SMTPTransport(parse_smtp_url(settings.smtp_url))
    except ValueError as error:
        raise CLIError(str(error), 2) from error
    settings, url = prepare_database(settings, migrate=False)

    import voting.schema  # noqa: F401 - every table, so the outbox's foreign key to account resolves
    from voting.database import make_engine, make_session_maker
    from voting.mail.sender import send_due

    async def main() -> Any:
        engine = make_engine(url, pool_size=1)
        try:
            return await send_due(make_session_maker(engine), transport, settings.mail_from, limit=args.limit)
        finally:
            await engine.dispose()

    try:
        report = asyncio.run(main())
    except SMTPUnavailable as error:
        raise CLIError(str(error)) from error
    except OSError as error:
        raise CLIError(f"cannot reach the database: {error}") from error
    print(f"{report.sent} sent, {report.failed} failed, {report.retrying} to retry later")
    return 0


def mail_status(args: argparse.Namespace) -> int:
    from voting.commands.runtime import prepare_database, run_in_session
    from voting.mail.queue import outbox_summary

    _, url = prepare_database(migrate=False)
    summary = run_in_session(url, outbox_summary)
    oldest = f", the oldest written {summary.oldest_pending:%Y-%m-%d %H:%M} UTC" if summary.oldest_pending else ""
    print(f"pending {summary.pending} ({summary.due} due now{oldest})")
    print(f"sent {summary.sent}")
    print(f"failed {summary.failed}")
    for failure in summary.failures:
        print(f"  #{failure.id} {failure.kind} to {failure.to_address} after {failure.attempts} "
              f"{'try' if failure.attempts == 1 else 'tries'}: {failure.last_error or ''}")
    return 0


def mail_retry(args: argparse.Namespace) -> int:
    from voting.commands.runtime import CLIError, prepare_database, run_in_session
    from voting.mail.queue import retry_mail

    if any(not 0 < number < 2**31 for number in args.ids):
        raise CLIError("message ids are positive numbers (see greenballot mail status)", 2)
    _, url = prepare_database(migrate=False)
    count = run_in_session(url, lambda session: retry_mail(session, actor="cli", ids=args.ids))
    if args.ids and count < len(set(args.ids)):
        print(f"{count} of {len(set(args.ids))} messages will be tried again (the others are sent or unknown)")
    else:
        print(f"{count} {'message' if count == 1 else 'messages'} will be tried again")
    return 0
