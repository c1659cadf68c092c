"""Benchmark of start-up: the CPU of ``greenballot --help`` against ``python -c pass``, and the resident memory of
a ``greenballot serve`` worker once it answers.

    .venv/bin/python tests/benchmarks/startup.py [--runs 30]

Targets: ``--help`` under 2x the CPU of ``python -c pass``; a worker under 80 MiB RSS. CPU is summed over the runs
from the children's rusage (user + system), so the figures are the processes' own, not the machine's.

The worker's figure is its RSS once it has answered its first ``/health``. Printed beside it, for reading only: its RSS
after its first page (``/``), and where a worker's RSS comes from: a fresh interpreter importing the worker's
libraries layer by layer, then greenballot's modules, building the app and starting its lifespan.

The commands run with a bytecode cache (in a temporary ``PYTHONPYCACHEPREFIX``), as an installed greenballot has
one: with ``PYTHONDONTWRITEBYTECODE`` set, as on some development machines, every run of an editable install compiles
the project's modules again; that figure is printed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx  # noqa: E402

from tests.benchmarks.serving import GREENBALLOT, greenballot, served, temp_database  # noqa: E402

__all__ = ["main"]


def _cpu(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Seconds of CPU per run of ``command`` (children's user + system time, over ``runs`` runs)."""
    before = os.times()
    for _ in range(runs):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    after = os.times()
    return (after.children_user - before.children_user + after.children_system - before.children_system) / runs


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


LAYERS = [
    ("python", "pass"),
    ("asyncio, ssl, uvloop, logging", "import asyncio, ssl, uvloop, logging"),
    ("asyncpg", "import asyncpg"),
    ("SQLAlchemy (core, ORM, asyncio, PostgreSQL)",
     "import sqlalchemy.orm, sqlalchemy.ext.asyncio, sqlalchemy.dialects.postgresql.asyncpg"),
    ("pydantic, SQLModel", "import sqlmodel, sqlmodel.ext.asyncio.session"),
    ("Litestar (and the plugins it loads)", "import litestar, litestar.plugins.pydantic, litestar.openapi.plugins, "
     "litestar.middleware.csrf, litestar.contrib.jinja\nimport contextlib\nwith contextlib.suppress(Exception):\n"
     "    import litestar.plugins.attrs"),
    ("cryptography, PyJWT", "import jwt.algorithms, cryptography.hazmat.primitives.ciphers.aead"),
    ("uvicorn, httptools", "import uvicorn, uvicorn.protocols.http.httptools_impl, uvicorn.loops.uvloop"),
    ("Jinja, argon2, multipart, rfc8785", "import jinja2, argon2, multipart, rfc8785"),
    ("greenballot's modules (import voting.app)", "import voting.app"),
    ("create_app()", "app = voting.app.create_app()"),
    ("its lifespan (engine, connections, key ring)", "async def up():\n    async with app.lifespan():\n"
     "        print(rss(), flush=True)\nuvloop.run(up())"),
]
"""What a worker holds, in the order a fresh interpreter can load it; the last layers are greenballot's."""


def _rss_by_layer(env: dict[str, str]) -> list[tuple[str, float]]:
    """RSS (MiB) of one fresh interpreter after each layer of ``LAYERS``."""
    code = ("def rss():\n    status = open('/proc/self/status').read()\n"
            "    return int(status.split('VmRSS:')[1].split()[0]) / 1024\n")  # as _rss_mib reads a worker's
    for _, statement in LAYERS:
        code += statement + ("\n" if "rss()" in statement else "\nprint(rss(), flush=True)\n")
    done = subprocess.run([sys.executable, "-c", code], env={**env, "PYTHONWARNINGS": "ignore"}, capture_output=True,
                          text=True, check=True)
    return [(label, float(line)) for (label, _), line in zip(LAYERS, done.stdout.split(), strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    rows = [("python -c pass", [sys.executable, "-c", "pass"]), ("greenballot --help", [GREENBALLOT, "--help"]),
            ("greenballot tally --help", [GREENBALLOT, "tally", "--help"]),
            ("greenballot verify --help", [GREENBALLOT, "verify", "--help"])]
    cached = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="gb-bench-pycache-")
    for _, command in rows:  # warm the file cache and write the bytecode
        _cpu(command, 2, cached)
    figures = [(label, _cpu(command, args.runs, cached)) for label, command in rows]
    base = figures[0][1]
    print(f"{'command':28} {'CPU ms/run':>10} {'x python -c pass':>17}")
    for label, cpu in figures:
        print(f"{label:28} {cpu * 1000:10.1f} {cpu / base:17.2f}")
    ratio = figures[1][1] / base
    print(f"greenballot --help: {ratio:.2f}x python -c pass (target < 2x: {'MET' if ratio < 2 else 'NOT MET'})")
    uncached = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    bare = _cpu(rows[0][1], args.runs, uncached)
    print(f"  without a bytecode cache (PYTHONDONTWRITEBYTECODE=1): "
          f"{_cpu(rows[1][1], args.runs, uncached) / bare:.2f}x")
    shutil.rmtree(cached["PYTHONPYCACHEPREFIX"], ignore_errors=True)
    with temp_database("gb_bench_startup") as env:
        greenballot(env, "db", "upgrade")
        with served(env) as (url, pid):
            rss = _rss_mib(pid)
            httpx.get(f"{url}/", timeout=30).raise_for_status()
            after_page = _rss_mib(pid)
        layers = _rss_by_layer(env)
    print(f"greenballot serve --workers 1, after its first /health: {rss:.1f} MiB RSS "
          f"(target < 80 MiB: {'MET' if rss < 80 else 'NOT MET'})")
    print(f"  after its first page (/): {after_page:.1f} MiB RSS")
    print("  where a worker's RSS comes from (one fresh interpreter, layer by layer):")
    before = 0.0
    for label, total in layers:
        print(f"    {label:44} {total - before:+6.1f} MiB = {total:6.1f} MiB")
        before = total
    print("(the machine is shared with other engineers' work: CPU figures are indicative)")


if __name__ == "__main__":
    main()
