"""``db upgrade``, ``user add`` and ``audit verify``."""

from __future__ import annotations

import argparse
import sys

from voting.commands.runtime import CLIError, prepare_database, run_in_session

__all__ = ["db_upgrade", "user_add", "audit_verify", "audit_checkpoint"]


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

    from auth.service import create_account

    async def work(session):  # type: ignore[no-untyped-def]
        return await create_account(session, email=args.email, password=password, display_name=args.name or "",
                                    roles=[args.role], neighbourhood_slugs=args.neighbourhood, actor="cli",
                                    verified_how="created by an operator (CLI)")

    account = run_in_session(url, work)
    print(f"created {args.role} {account.email} ({account.id})")
    return 0


def audit_verify(args: argparse.Namespace) -> int:
    from voting.audit.checkpoints import CheckpointError, parse_checkpoint

    saved = None
    if getattr(args, "since", None):
        try:
            with open(args.since, encoding="utf-8") as handle:
                saved = parse_checkpoint(handle.read())
        except OSError as error:
            raise CLIError(f"cannot read {args.since}: {error.strerror}", 2) from error
        except CheckpointError as error:
            raise CLIError(f"{args.since}: {error}", 2) from error
    _, url = prepare_database()

    from voting.audit.service import verify_checkpoints, verify_log

    async def work(session):  # type: ignore[no-untyped-def]
        count, broken = await verify_log(session)
        return count, broken, await verify_checkpoints(session, saved)

    count, broken, problems = run_in_session(url, work)
    if broken:
        print(f"audit log broken at sequence number {broken.seq}: {broken.reason} "
              f"({count} entries verified before it)", file=sys.stderr)
        return 1
    if problems:
        print(f"audit log checkpoints do not verify: {problems[0]}", file=sys.stderr)
        return 1
    since = f"; it extends the saved checkpoint at {saved.seq}" if saved else ""
    print(f"audit log intact: {count} entries verified, checkpoints signed and consistent{since}")
    return 0


def audit_checkpoint(args: argparse.Namespace) -> int:
    _, url = prepare_database()

    from voting.audit.service import make_checkpoint

    async def work(session):  # type: ignore[no-untyped-def]
        try:
            return await make_checkpoint(session)
        except ValueError as error:
            raise CLIError(str(error)) from error

    checkpoint = run_in_session(url, work)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(checkpoint.to_json() + "\n")
        print(f"checkpoint at sequence number {checkpoint.seq} written to {args.output}")
    else:
        print(checkpoint.to_json())
    return 0
