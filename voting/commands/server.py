"""``serve`` and ``demo``: prepare the database, then run uvicorn with the app factory."""

from __future__ import annotations

import argparse
import os
from typing import Any

from voting.commands.runtime import CLIError, prepare_database, run_in_session

__all__ = ["serve", "demo"]


def _check_port(host: str, port: int) -> None:
    import socket

    if not 0 < port < 65536:
        raise CLIError(f"--port must be between 1 and 65535 (got {port})", 2)
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CLIError(f"cannot listen on {host}:{port}: {error.strerror}") from error


def _ensure_keys(url: str) -> None:
    from auth.keys import ensure_key
    from voting.config import load_settings

    secret = load_settings().key_secret

    async def work(session):  # type: ignore[no-untyped-def]
        from sqlalchemy import text

        from voting.migrate import MIGRATION_LOCK

        # Instances started together create the first keys once: one at a time, the others find them made.
        await session.exec(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        for purpose in ("tokens", "signing"):
            await ensure_key(session, purpose, secret)

    run_in_session(url, work)


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _run(host: str, port: int, workers: int, access_log: bool, fresh_supervisor: bool = False) -> int:
    """Serve until stopped: in this process, or (``fresh_supervisor``, several workers and no embedded PostgreSQL
    to stop at exit) from a fresh interpreter that replaces this one (see ``voting.commands.supervisor``)."""
    import signal

    from voting.commands.supervisor import become_supervisor, run_uvicorn

    if fresh_supervisor and workers > 1 and os.name == "posix":
        become_supervisor(host, port, workers, access_log)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal under the handler it found. With
    # Python's default handler that kills the process before atexit runs, leaving the embedded PostgreSQL
    # running; this handler turns it into a normal exit, so the embedded server is stopped too.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    run_uvicorn(host, port, workers, access_log)
    return 0


def serve(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise CLIError("--workers must be at least 1", 2)
    _check_port(args.host, args.port)
    settings, url = prepare_database(migrate=not args.no_migrate, apart=True)  # a worker never imports Alembic
    if args.no_migrate:
        from voting.migrate_apart import MigrationFailed, at_head_apart

        try:
            behind = not at_head_apart(url)
        except MigrationFailed as error:
            raise CLIError(f"cannot check the database's migrations: {error}") from error
        if behind:
            raise CLIError("the database is not at the latest migration: run greenballot db upgrade first", 2)
    _ensure_keys(url)
    # without DATABASE_URL this process runs the embedded PostgreSQL, and stops it when it exits: it stays
    return _run(args.host, args.port, args.workers, args.access_log, bool(settings.database_url))


def _prepare_while_importing(seed_only: bool) -> tuple[Any, str, dict[str, str]]:
    """``prepare_database()`` in a thread (on a fresh data folder: initdb and the embedded PostgreSQL's start, child
    processes on another core, then the migrations) while this thread imports the demo city and the app."""
    import threading

    outcome: dict[str, Any] = {}

    def prepare() -> None:
        try:
            outcome["prepared"] = prepare_database()
        except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=prepare, name="prepare-database", daemon=True)
    thread.start()
    import voting.demo  # noqa: F401
    if not seed_only:
        import voting.app  # noqa: F401 - what uvicorn imports next
    hashes = _while_waiting(thread)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    settings, url = outcome["prepared"]
    return settings, url, hashes


def _while_waiting(thread: Any) -> dict[str, str]:
    """What the seeding needs next, made while ``thread`` still starts the database (initdb and the migrations take
    seconds on a fresh folder): the demo accounts' password hashes (argon2, by e-mail; those of accounts that exist
    already go unused), then the numpy that the published ballot's count (Equal Shares with Add1) imports."""
    from auth.passwords import hash_password
    from voting.demo import DEMO_ACCOUNTS

    hashes: dict[str, str] = {}
    for account in DEMO_ACCOUNTS:
        if not thread.is_alive():
            break
        hashes[account.email] = hash_password(account.password)
    if thread.is_alive():
        import numpy  # noqa: F401
    return hashes


def demo(args: argparse.Namespace) -> int:
    if not args.seed_only:
        _check_port(args.host, args.port)
    settings, url, hashes = _prepare_while_importing(args.seed_only)
    from voting.demo import DEMO_ACCOUNTS, seed_demo

    _ensure_keys(url)
    summary = run_in_session(url, lambda session: seed_demo(session, settings.key_secret, hashes))
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="greenballot demo accounts")
    for column in ("role", "email", "password"):
        table.add_column(column)
    for account in DEMO_ACCOUNTS:
        table.add_row(account.role, account.email, account.password)
    console.print(table)
    console.print(summary)
    console.print(f"Data directory: {settings.data_dir}")
    if args.seed_only:
        return 0
    console.print(f"[bold green]greenballot demo running at http://{args.host}:{args.port}/[/]  (Ctrl-C to stop)")
    import os

    os.environ["GREENBALLOT_DEMO"] = "1"  # without GREENBALLOT_SMTP_URL, mail is delivered to /dev/mail
    if not settings.smtp_url:
        console.print(f"Mail sent by the demo city: http://{args.host}:{args.port}/dev/mail")
    return _run(args.host, args.port, 1, args.access_log)
