"""``db upgrade``, ``user add`` and ``audit verify``."""

from __future__ import annotations

import argparse
import sys

from voting.commands.runtime import CLIError, prepare_database, run_in_session

__all__ = ["db_upgrade", "user_add", "audit_verify"]


def db_upgrade(args: argparse.Namespace) -> int:
    _, url = prepare_database()
    print("database is up to date")
    return 0


def user_add(args: argparse.Namespace) -> int:
    if not args.password_stdin:
        raise CLIError("pass the password on standard input with --password-stdin", 2)
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CLIError("no password on standard input", 2)
    _, url = prepare_database()

    from auth.service import AccountError, create_account

    async def work(session):  # type: ignore[no-untyped-def]
        try:
            return await create_account(session, email=args.email, password=password,
                                        display_name=args.name or "", roles=[args.role],
                                        neighbourhood_slugs=args.neighbourhood, actor="cli",
                                        verified_how="created by an operator (CLI)")
        except AccountError as error:
            raise CLIError(error.message) from error

    account = run_in_session(url, work)
    print(f"created {args.role} {account.email} ({account.id})")
    return 0


def audit_verify(args: argparse.Namespace) -> int:
    _, url = prepare_database()

    from voting.audit.service import verify_log

    count, broken = run_in_session(url, verify_log)
    if broken:
        print(f"audit log broken at sequence number {broken.seq}: {broken.reason} "
              f"({count} entries verified before it)", file=sys.stderr)
        return 1
    print(f"audit log intact: {count} entries verified")
    return 0
