"""``greenballot census import FILE.csv``: replace the census, print the report and the rejected rows."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register", "census_import"]


def _operator() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment (a container without a passwd entry)
        return "cli"


def _print_rejected(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="rejected rows")
    table.add_column("line", justify="right")
    table.add_column("reason")
    for row in rows:
        table.add_row(str(row["line"]), str(row["reason"]))
    Console(width=120).print(table)


def _utf8_problem(path: Path) -> int | None:
    """The offset of the first byte that is not UTF-8 (a byte-order mark allowed), or None; read in chunks."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return offset + error.start - len(decoder.getstate()[0])
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            return offset + error.start - len(error.object)
    return None


def census_import(args: argparse.Namespace) -> int:
    from voting.commands.runtime import CLIError, prepare_database, run_in_session

    path = Path(args.file)
    try:
        bad_byte = _utf8_problem(path)
    except OSError as error:
        raise CLIError(f"cannot read {args.file}: {error.strerror}", 2) from error
    settings, url = prepare_database()

    from auth.census.key import use_instance_secret
    from auth.census.service import CensusFileError, import_census_lines
    from ballots.bulk_progress import file_progress
    from voting.config import load_or_create_secret
    from voting.csvfiles import file_lines
    from voting.i18n import gettext as _
    from voting.i18n import use_language

    use_language("en")
    key = use_instance_secret(settings.secret or load_or_create_secret(settings.data_dir))

    async def work(session: Any) -> Any:
        from sqlalchemy import text

        await session.exec(text("SET LOCAL statement_timeout = 0"))  # a city's census in one COPY may take a while
        await session.exec(text("SET LOCAL work_mem = '128MB'"))  # its duplicate search sorts in memory
        return await import_census_lines(session, counted(file_lines(stream)), actor=_operator(), key=key,
                                         progress=progress)

    try:
        if bad_byte is not None:
            raise CensusFileError(_("The census file is not UTF-8 text (byte {offset}); the census is unchanged.")
                                  .format(offset=bad_byte))
        with path.open(encoding="utf-8-sig", newline="") as stream, \
                file_progress(path, "census") as (counted, progress):
            report = run_in_session(url, work)
    except (CLIError, CensusFileError) as error:
        refusal = error if isinstance(error, CensusFileError) else error.__cause__
        if not isinstance(refusal, CensusFileError):
            raise
        _print_rejected((refusal.extra or {}).get("rejected", []) if isinstance(refusal.extra, dict) else [])
        raise CLIError(refusal.message, 2) from error
    except OSError as error:
        raise CLIError(f"cannot read {args.file}: {error.strerror}", 2) from error
    print(f"census import #{report.import_id}: {report.rows_read} rows read, {report.rows_stored} stored, "
          f"{len(report.rejected)} rejected; {report.accounts_verified} accounts verified, "
          f"{report.accounts_updated} verified accounts updated")
    _print_rejected([{"line": p.line, "reason": p.reason} for p in report.rejected])
    return 0


def register(subparsers: Any) -> None:
    """Add ``census`` to the ``greenballot`` command line."""
    census = subparsers.add_parser("census", help="the local census of residents")
    actions = census.add_subparsers(dest="census_command", metavar="ACTION", required=True)
    imported = actions.add_parser("import", help="replace the whole census with a CSV file and verify the accounts "
                                                 "it matches")
    imported.add_argument("file", metavar="FILE.csv",
                          help="columns: email and/or document_id, birth_date, neighbourhood or postcode")
    imported.set_defaults(func=census_import)
