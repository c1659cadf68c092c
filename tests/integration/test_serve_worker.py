"""A ``serve`` worker imports no migration machinery: migrations are checked and applied in a child interpreter."""

from __future__ import annotations

import subprocess
import sys

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
