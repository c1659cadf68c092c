"""``ballot import|tally|publish``, ``export`` and the offline ``verify`` (which needs no database)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "register_ballot_actions", "EXPORT_FORMATS"]

EXPORT_FORMATS = {"pb": ["election.pb"], "csv": ["result.csv", "bulletin.csv"], "json": ["result.json"],
                  "bulletin": ["bulletin.json", "bulletin.csv"]}


def _ballot_id(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"a ballot number is a positive whole number, not {text!r}")
    return int(text)


def _progress(description: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    transient=True, console=__import__("rich.console").console.Console(stderr=True))


def ballot_import(args: argparse.Namespace) -> int:
    """Check the whole file first (a refused file exits with 2 before the database is touched), then store it."""
    from sqlalchemy.exc import SQLAlchemyError

    from voting.commands.runtime import CLIError, prepare_database, run_in_session
    from voting.results.importer import ImportError_, import_pabulib, read_import
    from voting.results.source_votes import outside_pabulib

    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CLIError(f"cannot read {args.file}: {error.strerror or error}", 2) from error
    except UnicodeDecodeError as error:
        raise CLIError(f"cannot read {args.file}: not UTF-8 text (byte {error.start})", 2) from error
    try:
        checked = read_import(text)
    except ImportError_ as error:
        raise CLIError(f"{args.file}: {error.message}", 2) from error
    _, url = prepare_database()
    with _progress("importing votes") as bar:
        task = bar.add_task("votes", total=None)

        async def work(session: Any) -> Any:
            return await import_pabulib(session, text, neighbourhood=args.neighbourhood, actor="cli",
                                        progress=lambda done, total: bar.update(task, completed=done, total=total),
                                        checked=checked, keep_extra_vote_columns=args.keep_extra_vote_columns)

        try:
            ballot = run_in_session(url, work)
        except SQLAlchemyError as error:
            raise CLIError(f"{args.file}: the database refused the import, nothing was stored "
                           f"({type(getattr(error, 'orig', error)).__name__})") from error
    dropped = outside_pabulib(checked[0].vote_columns)
    if dropped and not args.keep_extra_vote_columns:
        print(f"greenballot: ballot import: VOTES columns outside Pabulib's format not kept, so never republished: "
              f"{', '.join(dropped)} (--keep-extra-vote-columns keeps them)", file=sys.stderr)
    print(ballot.id)
    return 0


def ballot_tally(args: argparse.Namespace) -> int:
    from voting.commands.runtime import prepare_database, run_in_session
    from voting.results.service import CLI_PRINCIPAL, tally_ballot

    settings, url = prepare_database()

    async def work(session: Any) -> Any:
        return await tally_ballot(session, CLI_PRINCIPAL, args.ballot, settings.key_secret)

    stored = run_in_session(url, work)
    document = stored.document
    print(f"ballot {args.ballot} tallied under {document['rule']} ({document['tie_break']}): "
          f"{len(document['selected'])} projects selected for {document['total_cost']} of {document['budget']}; "
          f"{document['votes_counted']} votes; input {document['input_digest'][:16]}")
    return 0


def ballot_publish(args: argparse.Namespace) -> int:
    from voting.commands.runtime import prepare_database, run_in_session
    from voting.results.service import CLI_PRINCIPAL, publish_ballot

    settings, url = prepare_database()

    async def work(session: Any) -> Any:
        return await publish_ballot(session, CLI_PRINCIPAL, args.ballot, settings.key_secret)

    run_in_session(url, work)
    print(f"ballot {args.ballot} published; its signed exports are stored")
    return 0


def export(args: argparse.Namespace) -> int:
    from voting.commands.runtime import CLIError, prepare_database, run_in_session
    from voting.results.service import CLI_PRINCIPAL, export_files

    wanted = {"keys.json"}
    for name in args.format.split(","):
        if name == "all":
            wanted |= {f for files in EXPORT_FORMATS.values() for f in files}
        elif name in EXPORT_FORMATS:
            wanted |= set(EXPORT_FORMATS[name])
        else:
            raise CLIError(f"unknown export format {name!r} (pb, csv, json, bulletin or all)", 2)
    output = Path(args.output)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CLIError(f"cannot create {output}: {error.strerror}", 2) from error
    settings, url = prepare_database()
    with _progress("signing exports") as bar:
        task = bar.add_task("files", total=None)

        async def work(session: Any) -> Any:
            return await export_files(session, CLI_PRINCIPAL, args.ballot, settings.key_secret,
                                      progress=lambda name: bar.advance(task))

        files = run_in_session(url, work)
    written = []
    for name, content in files.items():
        if name in wanted or name.removesuffix(".sig") in wanted:
            (output / name).write_bytes(content)
            written.append(name)
    print(f"wrote {len(written)} files to {output}: {', '.join(sorted(written))}")
    return 0


def verify(args: argparse.Namespace) -> int:
    from voting.commands.runtime import CLIError
    from voting.results.signing import public_keys_from_json
    from voting.results.verify import verify_export

    folder = Path(args.export_dir)
    if not folder.is_dir():
        raise CLIError(f"{folder} is not a folder", 2)
    files = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    if not args.keys and not args.trust_keys_in_export:
        raise CLIError("refusing to verify with the keys shipped inside the export (whoever altered the files could "
                       "have replaced them): pass --keys KEYS.json from the city's well-known URL, or "
                       "--trust-keys-in-export to accept them knowingly", 2)
    keys_path = Path(args.keys) if args.keys else folder / "keys.json"
    try:
        keys = public_keys_from_json(keys_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CLIError(f"cannot read public keys from {keys_path}: {error}", 2) from error
    problems = verify_export(files, keys)
    if problems:
        for problem in problems:
            print(f"greenballot: verify: {problem}", file=sys.stderr)
        return 1
    source = "" if args.keys else " (with the keys shipped in the export, as asked: pin them with --keys)"
    print(f"{folder}: signatures valid{source}; the recount of election.pb matches the published result and "
          f"the bulletin board")
    return 0


def register_ballot_actions(actions: Any) -> None:
    imported = actions.add_parser("import", help="create a closed ballot from a Pabulib .pb file; prints its number")
    imported.add_argument("file", metavar="FILE.pb")
    imported.add_argument("--neighbourhood", metavar="SLUG")
    imported.add_argument("--keep-extra-vote-columns", action="store_true",
                          help="keep and republish the VOTES columns Pabulib does not define (a survey's answers); "
                               "by default only voter_id, vote, points, age, sex, voting_method, district, "
                               "neighborhood and education are kept")
    imported.set_defaults(func=ballot_import)
    tallied = actions.add_parser("tally", help="tally a closed ballot from its ballot box and store the result")
    tallied.add_argument("ballot", type=_ballot_id, metavar="ID")
    tallied.set_defaults(func=ballot_tally)
    published = actions.add_parser("publish", help="publish a tallied ballot's result")
    published.add_argument("ballot", type=_ballot_id, metavar="ID")
    published.set_defaults(func=ballot_publish)


def register(commands: Any) -> None:
    exported = commands.add_parser("export", help="write a tallied ballot's signed exports to a folder")
    exported.add_argument("ballot", type=_ballot_id, metavar="ID")
    exported.add_argument("--format", default="all", help="pb, csv, json, bulletin or all (comma-separated)")
    exported.add_argument("--output", required=True, metavar="DIR")
    exported.set_defaults(func=export)
    verified = commands.add_parser("verify", help="check an export offline: signatures, recount, bulletin board")
    verified.add_argument("export_dir", metavar="EXPORT_DIR")
    verified.add_argument("--keys", metavar="KEYS.json", help="public keys to trust (from the city's well-known URL)")
    verified.add_argument("--trust-keys-in-export", action="store_true",
                          help="without --keys, trust the export's own keys.json (refused otherwise)")
    verified.set_defaults(func=verify)
