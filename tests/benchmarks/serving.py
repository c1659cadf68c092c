"""Benchmark helpers: a throw-away database, the ``greenballot`` command, a served instance and its CPU time."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GREENBALLOT = str(Path(sys.executable).with_name("greenballot"))

__all__ = ["ROOT", "temp_database", "greenballot", "served", "cpu_seconds", "free_port", "percentile"]


def _server() -> str:
    return os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def temp_database(prefix: str) -> Iterator[dict[str, str]]:
    """An empty database on the test server and a data folder: the environment for ``greenballot`` commands."""
    import asyncio

    import asyncpg

    server = _server().replace("+asyncpg", "")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(server)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    head, _, query = server.partition("?")
    url = f"{head.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    data = tempfile.mkdtemp(prefix=f"{prefix}-data-")
    env = {**os.environ, "DATABASE_URL": url, "GREENBALLOT_DATA_DIR": data, "GREENBALLOT_SECRET": uuid.uuid4().hex}
    try:
        yield env
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def greenballot(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([GREENBALLOT, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"greenballot {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """``greenballot serve --workers 1`` (one process: its CPU is the server's); yields its URL and pid."""
    import httpx

    port = free_port()
    process = subprocess.Popen([GREENBALLOT, "serve", "--workers", "1", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"greenballot serve exited: {process.stderr.read() if process.stderr else ''}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("greenballot serve did not answer /health within 60 s")
            time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (``/proc/<pid>/stat`` utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
