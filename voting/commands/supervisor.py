"""uvicorn serving the app factory: in the ``serve`` process itself, or as a fresh supervisor of several workers.

With ``--workers`` above one, uvicorn's supervisor only starts and watches the workers (each a fresh interpreter
that imports the app). ``serve`` has by then migrated the database and made its keys, which leaves SQLAlchemy,
Litestar and cryptography in its memory (about 80 MiB for the life of the server); it replaces itself with
``python -m voting.commands.supervisor`` instead (same process id), which holds uvicorn alone (about 25 MiB).
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

__all__ = ["run_uvicorn", "become_supervisor"]


def run_uvicorn(host: str, port: int, workers: int, access_log: bool) -> None:
    import uvicorn

    uvicorn.run("voting.app:serve_app", factory=True, host=host, port=port, workers=workers,
                log_level="info", access_log=access_log,
                # X-Forwarded-For and -Proto are believed only from GREENBALLOT_TRUSTED_PROXIES (auth/clients.py);
                # uvicorn's own proxy headers would believe any client on 127.0.0.1
                proxy_headers=False)


def become_supervisor(host: str, port: int, workers: int, access_log: bool) -> NoReturn:
    """Replace this process with a fresh interpreter running :func:`run_uvicorn` (its environment is kept)."""
    sys.stdout.flush()
    sys.stderr.flush()
    # -P: "-m" would put the working directory first on sys.path (for the workers too, which inherit it), so that a
    # voting/, uvicorn.py... found where the server was started would be imported instead of the installed ones
    os.execv(sys.executable, [sys.executable, "-P", "-m", "voting.commands.supervisor", host, str(port),  # noqa: S606
                              str(workers), "access-log" if access_log else "no-access-log"])


def _main(argv: list[str]) -> int:
    host, port, workers, log = argv
    run_uvicorn(host, int(port), int(workers), log == "access-log")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
