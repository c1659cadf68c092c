"""``greenballot roll import BALLOT FILE.csv`` and ``greenballot ballot checkpoint|receipt``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register", "roll_import", "ballot_checkpoint", "receipt_check"]


def _ballot_id(text: str) -> int:
    from voting.commands.runtime import CLIError

    if not text.isdigit():
        raise CLIError(f"BALLOT must be a ballot number (got {text!r})", 2)
    return int(text)


def roll_import(args: argparse.Namespace) -> int:
    from voting.commands.runtime import CLIError, prepare_database, run_in_session

    ballot_id = _ballot_id(args.ballot)
    path = Path(args.file)
    try:
        stream = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise CLIError(f"cannot read {args.file}: {error.strerror}", 2) from error
    with stream:
        _, url = prepare_database()

        from ballots.bulk_progress import file_progress
        from ballots.roll import import_roll_lines
        from voting.csvfiles import file_lines
        from voting.i18n import use_language

        use_language("en")

        async def work(session: Any) -> Any:
            from sqlalchemy import text

            # an operator's bulk import: one COPY of a city's roll may well outlast the per-request limit
            await session.exec(text("SET LOCAL statement_timeout = 0"))
            await session.exec(text("SET LOCAL work_mem = '128MB'"))  # its duplicate search sorts in memory
            return await import_roll_lines(session, None, ballot_id, counted(file_lines(stream)), actor="cli",
                                           progress=progress)

        try:
            with file_progress(path, "roll") as (counted, progress):
                report = run_in_session(url, work)
        except UnicodeDecodeError as error:
            raise CLIError(f"{args.file} is not UTF-8 text", 2) from error
        except OSError as error:
            raise CLIError(f"cannot read {args.file}: {error.strerror}", 2) from error
    print(f"ballot {ballot_id}: {report.accepted} accepted ({report.added} added, {report.updated} updated), "
          f"{len(report.rejected)} rejected")
    for rejected in report.rejected:
        print(f"  line {rejected.line}: {rejected.reason}")
    return 0 if not report.rejected else 3


def ballot_checkpoint(args: argparse.Namespace) -> int:
    from voting.commands.runtime import prepare_database, run_in_session

    ballot_id = _ballot_id(args.ballot)
    settings, url = prepare_database()

    from ballots.checkpoints import make_checkpoint
    from ballots.service import load_ballot

    async def work(session: Any) -> Any:
        await load_ballot(session, ballot_id)
        return await make_checkpoint(session, ballot_id, actor="cli", key_secret=settings.key_secret)

    checkpoint = run_in_session(url, work)
    print(f"ballot {ballot_id}: tree size {checkpoint.tree_size}, root {checkpoint.root}, key {checkpoint.kid}")
    return 0


def receipt_check(args: argparse.Namespace) -> int:
    from voting.commands.runtime import prepare_database, run_in_session

    _, url = prepare_database(migrate=False)

    from ballots.receipt_check import check_receipt

    found = run_in_session(url, lambda session: check_receipt(session, args.code))
    print(f"ballot {found.ballot_id}: {found.status}, commitment {found.commitment}")
    if found.leaf_index is not None:
        print(f"leaf {found.leaf_index} of {found.checkpoint_size}, root {found.checkpoint_root}")
        print("proof " + " ".join(found.inclusion_proof))
    return 0


def register(subparsers: Any) -> None:
    """Add ``roll`` and ``ballot`` to the ``greenballot`` command line."""
    roll = subparsers.add_parser("roll", help="ballot voter rolls")
    roll_commands = roll.add_subparsers(dest="roll_command", metavar="ACTION", required=True)
    imported = roll_commands.add_parser("import", help="add or update a ballot's voter roll from a CSV file")
    imported.add_argument("ballot", metavar="BALLOT", help="ballot number")
    imported.add_argument("file", metavar="FILE.csv", help="email or external_id, birth_date, neighbourhood")
    imported.set_defaults(func=roll_import)

    ballot = subparsers.add_parser("ballot", help="ballot vote logs and receipts")
    ballot_commands = ballot.add_subparsers(dest="ballot_command", metavar="ACTION", required=True)
    checkpoint = ballot_commands.add_parser("checkpoint", help="sequence new votes and sign the vote log's root")
    checkpoint.add_argument("ballot", metavar="BALLOT", help="ballot number")
    checkpoint.set_defaults(func=ballot_checkpoint)
    receipt = ballot_commands.add_parser("receipt", help="check a receipt code")
    receipt.add_argument("code", metavar="CODE")
    receipt.set_defaults(func=receipt_check)
