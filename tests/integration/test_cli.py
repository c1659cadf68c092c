"""The command line: help lists every command; errors are one line with a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import TEST_KEY_SECRET, create_database, drop_database, libpq_url

COMMANDS = ["serve", "demo", "db", "user", "audit", "tally"]


def run(*args, env=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "voting.cli", *args], capture_output=True, text=True,
                          env=env, input=stdin, timeout=120)


@pytest.fixture(scope="module")
def cli_database(pg_server_url):
    """A database of this module's own: the commands commit (the demo's seed, its calendar and audit entries), which
    would change what other test files on the same worker find in the shared one."""
    url = create_database(pg_server_url, "gb_cli")
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture
def cli_env(cli_database, tmp_path):
    return {"PATH": "/usr/bin:/bin", "DATABASE_URL": libpq_url(cli_database), "GREENBALLOT_DATA_DIR": str(tmp_path),
            "GREENBALLOT_KEY_SECRET": TEST_KEY_SECRET}  # the database's keys are encrypted under it


def test_help_lists_every_command():
    done = run("--help")
    assert done.returncode == 0
    for command in COMMANDS:
        assert command in done.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["user", "add", "x@example.org", "--role", "citizen"], None, "--password-stdin"),
        (["user", "add", "x@example.org", "--role", "citizen", "--password-stdin"], "", "no password"),
        (["user", "add", "not-an-email", "--role", "citizen", "--password-stdin"], "long-enough-pw\n", "valid email"),
        (["user", "add", "m@example.org", "--role", "moderator", "--password-stdin"], "long-enough-pw\n",
         "neighbourhood"),
        (["user", "add", "m@example.org", "--role", "moderator", "--neighbourhood", "atlantis", "--password-stdin"],
         "long-enough-pw\n", "Unknown neighbourhood atlantis"),
        (["user", "add", "s@example.org", "--role", "citizen", "--password-stdin"], "short\n", "at least 10"),
        (["serve", "--port", "0"], None, "--port"),
        (["serve", "--workers", "0"], None, "--workers"),
    ],
)
def test_errors_are_one_clear_line(cli_env, args, stdin, message):
    done = run(*args, env=cli_env, stdin=stdin)
    assert done.returncode != 0
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_bad_database_url_is_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "mysql://nope", "GREENBALLOT_DATA_DIR": str(tmp_path)}
    done = run("db", "upgrade", env=env)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "greenballot: error: DATABASE_URL must start with postgresql:// or postgresql+asyncpg:// (got mysql://)"
    )


def test_unreachable_database_is_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
           "GREENBALLOT_DATA_DIR": str(tmp_path)}
    done = run("audit", "verify", env=env)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "database" in done.stderr


def test_user_add_twice_is_refused(cli_env):
    first = run("user", "add", "twice@example.org", "--role", "auditor", "--password-stdin", env=cli_env,
                stdin="long-enough-pw\n")
    assert first.returncode == 0, first.stderr
    second = run("user", "add", "TWICE@example.org", "--role", "auditor", "--password-stdin", env=cli_env,
                 stdin="long-enough-pw\n")
    assert second.returncode == 1
    assert "already exists" in second.stderr


def test_demo_seed_is_idempotent(cli_env):
    first = run("demo", "--seed-only", env=cli_env)
    second = run("demo", "--seed-only", env=cli_env)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "(0 new)" in second.stdout
    verified = run("audit", "verify", env=cli_env)
    assert verified.returncode == 0 and "intact" in verified.stdout


def test_sigterm_stops_serve_and_its_embedded_postgres(tmp_path):
    """A service manager stops greenballot with SIGTERM: it exits 0 and takes its embedded PostgreSQL with it."""
    import os
    import signal
    import socket
    import time

    import httpx
    import psutil

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["GREENBALLOT_DATA_DIR"] = str(tmp_path)
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "voting.cli", "serve", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        postmaster = tmp_path / "pgdata" / "postmaster.pid"
        server_pid = int(postmaster.read_text().split()[0])
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and postmaster.exists():
            time.sleep(0.2)
        assert not postmaster.exists(), "the embedded PostgreSQL is still running"
        try:  # a stopped postmaster may linger as a zombie where nothing reaps orphans (containers)
            assert psutil.Process(server_pid).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            pass
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
