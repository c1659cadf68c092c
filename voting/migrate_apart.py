"""Migrations checked and applied in a child interpreter, so that a ``serve`` worker never imports Alembic.

Alembic, the migration scripts and what they build stay in a worker for its whole life once imported (about
8 MiB of a worker's memory); ``serve`` runs them here instead, in ``python -m voting.migrate_apart``. The URL goes
through the environment (never on a command line other users may read), and a failure comes back as one line.
"""

from __future__ import annotations

import os
import subprocess
import sys

__all__ = ["MigrationFailed", "upgrade_apart", "at_head_apart"]

URL_VARIABLE = "GREENBALLOT_MIGRATE_URL"
BEHIND = 3


class MigrationFailed(Exception):
    """The child could not check or migrate the database; the message is its one-line reason."""


def _child(action: str, url: str) -> int:
    done = subprocess.run([sys.executable, "-m", "voting.migrate_apart", action],  # noqa: S603 - our own module
                          env={**os.environ, URL_VARIABLE: url}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, check=False)
    if done.returncode not in (0, BEHIND):
        lines = done.stderr.strip().splitlines()
        raise MigrationFailed(lines[-1] if lines else f"exit code {done.returncode}")
    return done.returncode


def upgrade_apart(url: str) -> None:
    """``voting.migrate.upgrade(url)`` in a child interpreter."""
    _child("upgrade", url)


def at_head_apart(url: str) -> bool:
    """``voting.migrate.at_head(url)`` in a child interpreter."""
    return _child("at-head", url) == 0


def _main(argv: list[str]) -> int:
    from voting.migrate import at_head, upgrade

    url = os.environ[URL_VARIABLE]
    try:
        if argv == ["upgrade"]:
            upgrade(url)
            return 0
        if argv == ["at-head"]:
            return 0 if at_head(url) else BEHIND
    except Exception as error:  # the parent shows this line
        inner = getattr(error, "orig", None) or error.__cause__ or error
        print(f"{type(inner).__name__}: {inner}".splitlines()[0], file=sys.stderr)
        return 1
    print(f"unknown action {argv}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
