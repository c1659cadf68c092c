"""Browser harness: the real server (``greenballot serve``) on a free port over its own database, and Chromium.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright for Python; no browser is ever downloaded.
Without Chromium the browser tests are skipped, unless GREENBALLOT_REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import create_database, drop_database, libpq_url

AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core from the npm registry, installed by README's test command (``npm ci --prefix tests/web/js``)."""

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``greenballot ARGS`` against the live server's database."""
        return subprocess.run([sys.executable, "-m", "voting.cli", *args], env=self.env, input=stdin,
                              capture_output=True, text=True, timeout=120)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], port: int, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``greenballot serve`` on ``port`` with ``env``, once its /health answers 200; stopped on leaving."""
    with log_path.open("w") as log:
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
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("server did not start:\n" + log_path.read_text())
                time.sleep(0.2)
            yield process
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture(scope="session")
def live_server(pg_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A seeded demo city served by a real ``greenballot serve`` process."""
    database = create_database(pg_server_url, "gb_web")
    data_dir: Path = tmp_path_factory.mktemp("live-data")
    env = {**os.environ, "DATABASE_URL": libpq_url(database), "GREENBALLOT_DATA_DIR": str(data_dir)}
    port = free_port()
    server = LiveServer(f"http://127.0.0.1:{port}", env)
    seeded = server.cli("demo", "--seed-only")
    assert seeded.returncode == 0, seeded.stderr
    try:
        with serving(env, port, data_dir / "server.log"):
            yield server
    finally:
        drop_database(pg_server_url, database)


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Chromium for one test module. Playwright's sync API keeps an event loop running while it is open, so
    it must be closed before the next module's async tests run on anyio's loop (hence not session-scoped)."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("GREENBALLOT_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (GREENBALLOT_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def login(page, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def axe_violations(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Every accessibility violation axe-core finds on the page as it is now, of any impact.

    axe is evaluated through the DevTools protocol, not added as a script tag, so a strict CSP does not block it.
    """
    if not AXE.exists():
        message = f"axe-core is not installed ({AXE}): run npm ci --prefix tests/web/js"
        if os.environ.get("GREENBALLOT_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(
        v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))""")


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    """axe-core reports no violation of any impact on the page."""
    found = axe_violations(page)
    assert found == [], f"{page.url}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
                                                    for v in found)
