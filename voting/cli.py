"""The ``greenballot`` command line: fast to start, one clear line and a non-zero exit on any error."""

from __future__ import annotations

import sys
from collections.abc import Sequence

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (a quarter of the interpreter's start)
if TYPE_CHECKING:
    import argparse

__all__ = ["build_parser", "main"]

DESCRIPTION = "Participatory budgeting and voting engine."
COMMANDS: dict[str, str] = {
    "serve": "run the web server (applies migrations first)",
    "demo": "seed a demo city and serve it (embedded PostgreSQL by default)",
    "db": "database maintenance",
    "user": "manage accounts",
    "audit": "audit log tools",
}
"""The commands defined here, with their one-line help (``LAZY_COMMANDS`` below lists the others)."""


def _serve(args: argparse.Namespace) -> int:
    from voting.commands.server import serve

    return serve(args)


def _demo(args: argparse.Namespace) -> int:
    from voting.commands.server import demo

    return demo(args)


def _db_upgrade(args: argparse.Namespace) -> int:
    from voting.commands.admin import db_upgrade

    return db_upgrade(args)


def _user_add(args: argparse.Namespace) -> int:
    from voting.commands.admin import user_add

    return user_add(args)


def _audit_verify(args: argparse.Namespace) -> int:
    from voting.commands.admin import audit_verify

    return audit_verify(args)


def _audit_checkpoint(args: argparse.Namespace) -> int:
    from voting.commands.admin import audit_checkpoint

    return audit_checkpoint(args)


def build_parser(command: str | None = "*") -> argparse.ArgumentParser:
    """The whole command line (``command="*"``), or with only ``command``'s package imported (``None``: none)."""
    import argparse

    parser = argparse.ArgumentParser(prog="greenballot", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser("serve", help=COMMANDS["serve"])
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--no-migrate", action="store_true",
                       help="do not apply migrations (a fleet migrates once with 'greenballot db upgrade'); refuse "
                            "to start if the database is behind")
    serve.add_argument("--access-log", action="store_true",
                        help="log every request with its client address and time (off: such a log would tell who "
                             "voted when)")
    serve.set_defaults(func=_serve)

    demo = commands.add_parser("demo", help=COMMANDS["demo"])
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--seed-only", action="store_true", help="seed and exit without serving")
    demo.add_argument("--access-log", action="store_true",
                        help="log every request with its client address and time (off: such a log would tell who "
                             "voted when)")
    demo.set_defaults(func=_demo)

    db = commands.add_parser("db", help=COMMANDS["db"])
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply all migrations").set_defaults(func=_db_upgrade)

    user = commands.add_parser("user", help=COMMANDS["user"])
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser("add", help="create an account")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=["citizen", "moderator", "poll_officer", "auditor", "admin"])
    add.add_argument("--neighbourhood", action="append", default=[], metavar="SLUG",
                     help="neighbourhood a moderator or poll officer is scoped to (repeatable)")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=_user_add)

    audit = commands.add_parser("audit", help=COMMANDS["audit"])
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_commands.add_parser("verify", help="recompute the audit hash chain and check its signed checkpoints")
    verify.add_argument("--since", metavar="CHECKPOINT_FILE",
                        help="also prove that the log still extends this checkpoint, saved earlier")
    verify.set_defaults(func=_audit_verify)
    checkpoint = audit_commands.add_parser("checkpoint", help="sign the audit log's head now and print or save it")
    checkpoint.add_argument("--output", metavar="FILE", help="write the checkpoint to FILE (keep it safe)")
    checkpoint.set_defaults(func=_audit_checkpoint)

    _register_lazy(commands, command)
    return parser


LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "neighbourhood": ("voting.admin.cli", "manage neighbourhoods"),
    "keys": ("voting.admin.cli", "print the public keys, or rotate a key"),
    "roll": ("ballots.cli", "ballot voter rolls"),
    "ballot": ("ballots.cli", "ballot vote logs and receipts"),
    "export": ("voting.results.cli", "write a tallied ballot's signed exports to a folder"),
    "verify": ("voting.results.cli", "check an export offline: signatures, recount, bulletin board"),
    "mail": ("voting.mail.cli", "outgoing mail"),
    "census": ("auth.census.cli", "the local census of residents"),
    "tally": ("voting.tally.cli", "tally a Pabulib .pb file"),
}
"""Commands defined in other packages: (module whose ``register`` adds them, their one-line help). Only the
module of the command being run is imported; the others get a placeholder with the same help, enough for
``--help`` and for argparse's list of choices (tests/unit/test_cli_startup.py checks the helps agree)."""


def _register_lazy(commands: argparse._SubParsersAction[argparse.ArgumentParser], command: str | None) -> None:
    import argparse
    import importlib

    wanted = [LAZY_COMMANDS[command][0]] if command in LAZY_COMMANDS else []
    if command == "*":
        wanted = list(dict.fromkeys(module for module, _ in LAZY_COMMANDS.values()))
    for module in wanted:
        if module == "voting.tally.cli":
            try:
                importlib.import_module(module).register(commands)
            except ImportError:  # the tally engine is optional while it is being built
                pass
            continue
        importlib.import_module(module).register(commands)
        if module == "ballots.cli":
            from voting.results.cli import register_ballot_actions

            ballot_actions = next(action for action in commands.choices["ballot"]._actions
                                  if isinstance(action, argparse._SubParsersAction))
            register_ballot_actions(ballot_actions)
    for name, (_, help_text) in LAZY_COMMANDS.items():
        if name not in commands.choices:
            commands.add_parser(name, help=help_text)


def _command_of(argv: Sequence[str]) -> str | None:
    """The command named on the line (the first word that is not an option), if any."""
    return next((word for word in argv if not word.startswith("-")), None)


def _plain_tally(argv: list[str]) -> argparse.Namespace | None:
    """`tally FILE --rule R ...` read without building argparse's parsers (they cost more CPU than tallying a small
    file; its messages use no translation); None for any other command line."""
    if argv[:1] != ["tally"]:
        return None
    try:
        from voting.tally.cli import plain_args
    except ImportError:  # the tally engine is optional
        return None
    return plain_args(argv[1:])  # type: ignore[no-any-return]


def _end_tally(code: int) -> int:
    """End a `tally` process at once, its output flushed: tearing down a large file's hundreds of thousands of
    strings one by one costs 5-8 ms of CPU (Budapest 2024, Warszawa 2026), more than tallying a small file, for
    nothing (the command leaves the file it read on its arguments, so it outlives the command's own frame). The
    command registers no exit handlers; only the command line itself ends this way, not a caller of :func:`main`."""
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: the output is lost either way
        code = code or 1
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    program = argv is None  # run as the `greenballot` command, not called from Python
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv in (["-h"], ["--help"]):
        from voting.quick_help import top_level_help

        text = top_level_help("greenballot", DESCRIPTION, "COMMAND", [*COMMANDS.items(), *(
            (name, help_text) for name, (_, help_text) in LAZY_COMMANDS.items())])
        if text is not None:  # argparse's own text, without importing argparse (half of --help's time)
            sys.stdout.write(text)
            return 0
    args = _plain_tally(argv)
    if args is None:
        parser = build_parser(_command_of(argv))
        args = parser.parse_args(argv)
        from voting.i18n import use_language

        use_language("en")
    try:
        code = int(args.func(args) or 0)
        return _end_tally(code) if program and args.command == "tally" else code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        code = getattr(error, "code", 1)
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        if type(error).__name__ != "CLIError":
            message = f"{type(error).__name__}: {message}"
        print(f"greenballot: error: {message}", file=sys.stderr)
        return code if isinstance(code, int) and code > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
