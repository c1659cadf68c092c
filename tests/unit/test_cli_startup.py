"""The command line starts fast: building it, `tally` and `verify` import neither the web stack nor the ORM."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("litestar", "sqlalchemy", "sqlmodel", "asyncpg", "jinja2", "alembic")


def imported_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return {name for name in done.stdout.strip().split(",") if name}


def test_building_the_parser_imports_nothing_heavy():
    assert imported_after("from voting.cli import build_parser; build_parser()") == set()


def test_verify_imports_nothing_heavy(tmp_path):
    code = ("from voting.cli import main\n"
            f"try:\n    main(['verify', {str(tmp_path)!r}])\nexcept SystemExit:\n    pass")
    assert imported_after(code) == set()
