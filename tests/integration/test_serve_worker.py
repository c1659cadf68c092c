"""A ``serve`` worker imports no migration machinery (migrations are checked and applied in a child interpreter), and
nothing heavy that only some requests use before a request uses it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.benchmarks.serving import free_port
from tests.conftest import TEST_KEY_SECRET, libpq_url

PROBE = """
import sys
from voting.commands import server
server._run = lambda *args: print("alembic" in sys.modules) or 0  # where uvicorn would start serving
from voting.cli import main
sys.exit(main(sys.argv[1:]))
"""


SERVED_PROBE = """
import os, signal, socket, sys, threading, time
HEAVY = {heavy!r}
def watch(port):
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(b"GET /health HTTP/1.1\\r\\nHost: test\\r\\nConnection: close\\r\\n\\r\\n")
                if conn.recv(64).startswith(b"HTTP/1.1 200"):
                    print("answered", ",".join(sorted(m for m in HEAVY if m in sys.modules)), flush=True)
                    break
        except OSError:
            time.sleep(0.2)
    os.kill(os.getpid(), signal.SIGTERM)
threading.Thread(target=watch, args=(int(sys.argv[-1]),), daemon=True).start()
from voting.cli import main
sys.exit(main(sys.argv[1:]))
"""
HEAVY = ("alembic", "mako", "numpy", "PIL", "babel", "rich", "aiosmtplib", "voting.migrations",
         "voting.tally.add1_reach", "voting.results.importer", "pabutools", "pref_voting")
"""Modules a worker needs only for some requests, tallies or commands (migrations, photos, locales' formats, mail,
Add1's reach, Pabulib imports), or never (the test oracles)."""


@pytest.fixture
def cli_env(database_url, tmp_path):
    return {"PATH": "/usr/bin:/bin", "DATABASE_URL": libpq_url(database_url), "GREENBALLOT_DATA_DIR": str(tmp_path),
            "GREENBALLOT_KEY_SECRET": TEST_KEY_SECRET}


@pytest.mark.parametrize("options", [[], ["--no-migrate"]])
def test_serve_starts_without_importing_alembic(cli_env, options):
    done = subprocess.run([sys.executable, "-c", PROBE, "serve", "--port", str(free_port()), *options],
                          capture_output=True, text=True, env=cli_env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_a_database_that_cannot_be_migrated_is_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "GREENBALLOT_DATA_DIR": str(tmp_path),
           "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}  # nothing listens on port 9
    for options in ([], ["--no-migrate"]):
        done = subprocess.run([sys.executable, "-m", "voting.cli", "serve", "--port", str(free_port()), *options],
                              capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 1, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
        assert "cannot migrate the database" in done.stderr or "cannot check" in done.stderr


def test_a_served_worker_answers_without_importing_what_only_some_requests_use(cli_env):
    port = str(free_port())
    done = subprocess.run([sys.executable, "-c", SERVED_PROBE.format(heavy=HEAVY), "serve", "--port", port],
                          capture_output=True, text=True, env=cli_env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0].strip() == "answered", done.stdout + done.stderr[-2000:]


def test_several_workers_are_supervised_by_a_fresh_interpreter(cli_env):
    """With an external database, the supervisor of several workers keeps none of what preparing the database
    loaded (SQLAlchemy, cryptography: about 55 MiB); the workers answer, and SIGTERM stops them all."""
    port = free_port()
    with subprocess.Popen([sys.executable, "-m", "voting.cli", "serve", "--workers", "2", "--port", str(port)],
                          env=cli_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as serve:
        try:
            deadline = time.monotonic() + 120
            while not _answers(f"http://127.0.0.1:{port}/health"):
                assert serve.poll() is None and time.monotonic() < deadline, serve.communicate()[1]
                time.sleep(0.2)
            mapped = Path(f"/proc/{serve.pid}/maps").read_text()
            assert "sqlalchemy" not in mapped and "cryptography" not in mapped
            workers = [pid for pid in _children(serve.pid) if "multiprocessing.spawn" in _cmdline(pid)]
            assert len(workers) == 2
        finally:
            serve.terminate()
            assert serve.wait(timeout=60) == 0
    assert not any(_cmdline(pid) for pid in workers)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def test_the_fresh_supervisor_imports_nothing_from_the_working_directory(cli_env, tmp_path):
    """Started from a folder holding a uvicorn.py (as the console script starts it: without that folder on
    sys.path), the supervisor and its workers still run the installed uvicorn."""
    here = tmp_path / "started-here"
    here.mkdir()
    planted = here / "planted"
    (here / "uvicorn.py").write_text(f"open({str(planted)!r}, 'w').close()\nraise SystemExit(5)\n")
    port = free_port()
    with subprocess.Popen([sys.executable, "-P", "-m", "voting.cli", "serve", "--workers", "2", "--port", str(port)],
                          cwd=here, env=cli_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as serve:
        try:
            deadline = time.monotonic() + 120
            while not _answers(f"http://127.0.0.1:{port}/health"):
                assert serve.poll() is None and time.monotonic() < deadline, serve.communicate()[1]
                time.sleep(0.2)
        finally:
            serve.terminate()
            serve.wait(timeout=60)
    assert not planted.exists()
