"""In Chromium: every page of the app, as every role, fits 390 px and 1280 px and axe-core finds nothing (with
its touch-target rule on: 24 px).

The page list comes from the app's own route table (every GET page route outside the API, static files, API docs
and downloads), so a page added later is visited without editing this file. A route with path parameters is
visited with the addresses of that shape the pages themselves link to (collected while visiting), and the test
fails naming any page route that no visited page links to: give it a sample in ``EXTRA_PAGES`` then.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest

from tests.web.conftest import AXE, LiveServer, axe_violations, login
from voting.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)
ROLES: tuple[str | None, ...] = (None, "citizen", "moderator", "poll_officer", "auditor", "admin")
SKIPPED_PREFIXES = ("/api/", "/schema", "/static/", "/lang/", "/dev/", "/.well-known/", "/health")
"""Not pages: the JSON API and its docs, files, the language switch (a redirect), the demo's own mailbox."""
SAMPLES_PER_ROUTE = 3
"""Addresses visited per route with parameters: the demo's open, published and draft ballots, for example."""
EXTRA_PAGES = ("/no-such-page", "/password-reset/new?token=nonsense", "/account/confirm?token=nonsense",
               "/desk?q=demo.greenballot")
"""Pages no link leads to: the 404 page, the pages of a mailed link that is wrong, a desk search's answers."""

ROUTES_SCRIPT = """
import json, sys, typing
from litestar.response import Template
from voting.app import create_app
from voting.config import load_settings
app = create_app(load_settings())
found = []
for route in app.routes:
    for handler in getattr(route, "route_handlers", []):
        if "GET" not in (handler.http_methods or ()) or handler.resolve_include_in_schema():
            continue
        answer = handler.parsed_fn_signature.return_type.annotation
        if answer is typing.Any or "Template" in str(answer) or answer is Template:
            found.append(route.path)
json.dump(sorted(set(found)), sys.stdout)
"""

OVERFLOW = """() => {
  const root = document.documentElement;
  const clipped = e => { for (let up = e.parentElement; up && up !== document.body; up = up.parentElement) {
    if (getComputedStyle(up).overflowX !== 'visible') return true; } return false; };
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1 && !clipped(e))
    .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + (e.id ? '#' + e.id : ''));
  return {scroll: root.scrollWidth, client: root.clientWidth, wide};
}"""

MAIN_CONTENT = """() => {
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('input[name=_csrf_token], input[name=idempotency_key]').forEach(e => e.remove());
  return location.pathname + '\\n' + copy.innerHTML;
}"""
"""What axe is run on once: a page's main content as any role sees it, without the per-session form tokens (each
role's first page is checked whole, so its header and navigation are too)."""

AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations'], elementRef: true,
                                                   rules: {'target-size': {enabled: true}}})).violations
  .map(v => ({...v, nodes: v.nodes.filter(n => v.id !== 'target-size' || !n.element.closest('.leaflet-marker-pane'))}))
  .filter(v => v.nodes.length)
  .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))"""
"""Map markers are left out of the touch-target rule only: close places overlap at a city's zoom (every other rule
still checks them), as on any map."""


def axe_with_target_size(tab) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """axe-core's violations of any impact, with its touch-target rule (24 px, WCAG 2.5.8, off by default) on."""
    if not AXE.exists():
        return axe_violations(tab)  # skips the test (fails it on CI) naming the missing axe-core
    if not tab.evaluate("() => typeof window.axe === 'object'"):
        tab.evaluate(AXE.read_text(encoding="utf-8"))
    return tab.evaluate(AXE_RUN)  # type: ignore[no-any-return]


def page_routes(server: LiveServer) -> list[str]:
    """GET routes that answer with a page (a template), read from the app built as the live server builds it."""
    listed = subprocess.run([sys.executable, "-c", ROUTES_SCRIPT], env=server.env, capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0, listed.stderr
    return [path for path in json.loads(listed.stdout) if not path.startswith(SKIPPED_PREFIXES)]


def route_pattern(path: str) -> re.Pattern[str]:
    """``/ballots/{ballot_id:int}/vote`` as a regular expression matching ``/ballots/1/vote`` (query allowed)."""
    parts = re.split(r"(\{[^}]+\})", path)
    kinds = {"int": r"\d+", "uuid": r"[0-9a-fA-F-]{36}", "path": r".+"}
    regex = "".join(kinds.get(part[1:-1].partition(":")[2], r"[^/?#]+") if part.startswith("{") else re.escape(part)
                    for part in parts)
    return re.compile(f"^{regex}(?:\\?.*)?$")


@dataclass
class Visit:
    """What the visits found: problems by page and role, and every same-site link seen."""

    problems: list[str] = field(default_factory=list)
    links: set[str] = field(default_factory=set)
    seen_errors: set[tuple[str | None, int]] = field(default_factory=set)
    axed_contents: set[str] = field(default_factory=set)
    axed_roles: set[str | None] = field(default_factory=set)
    checked: int = 0


def check_page(tab, target: str, role: str | None, visit: Visit) -> None:  # type: ignore[no-untyped-def]
    """Open ``target``; at each width, no horizontal scroll and no axe violation. An error page (or the login
    page a guard sends to) is checked once per role and status, not once per route."""
    tab.set_viewport_size({"width": WIDTHS[0], "height": 844})
    answer = tab.goto(target)
    status = answer.status if answer is not None else 0
    landed = urlsplit(tab.url).path
    if status >= 500:
        visit.problems.append(f"{target} as {role or 'anonymous'}: answered {status}")
    if status >= 400 or (landed == "/login" and not target.startswith("/login")):
        key = (role, 302 if landed == "/login" else status)
        if key in visit.seen_errors:
            return
        visit.seen_errors.add(key)
    visit.links.update(tab.eval_on_selector_all(
        "a[href^='/']", "links => links.map(a => a.getAttribute('href'))"))
    who = role or "anonymous"
    content = tab.evaluate(MAIN_CONTENT)  # the same page as another role saw it needs no second axe run
    fresh = content not in visit.axed_contents or role not in visit.axed_roles
    visit.axed_contents.add(content)
    visit.axed_roles.add(role)
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 844 if width < 600 else 800})
        overflow = tab.evaluate(OVERFLOW)
        if overflow["scroll"] > overflow["client"]:
            visit.problems.append(f"{target} as {who} at {width} px: {overflow['scroll']} px wide "
                                  f"(too wide: {', '.join(overflow['wide'])})")
        for violation in axe_with_target_size(tab) if fresh else ():
            visit.problems.append(f"{target} as {who} at {width} px: {violation['id']} ({violation['impact']}): "
                                  f"{violation['help']} at {violation['nodes']}")
    visit.checked += 1


@pytest.fixture(scope="module")
def drafts(live_server) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """A draft ballot (its shortlist page), a draft proposal (its edit page) and a group of two district drafts (the
    manage page of one links to the group's page): the demo city has none. Made here every time (a draft another
    test module left on this server may be one the demo moderator cannot manage), and their pages visited by
    name: other modules' ballots may push them out of the sampled links."""
    def token(role: str) -> dict[str, str]:
        account = next(account for account in DEMO_ACCOUNTS if account.role == role)
        answer = httpx.post(f"{live_server.url}/api/v1/auth/token", json={"email": account.email,
                                                                        "password": account.password})
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    ballots = httpx.get(f"{live_server.url}/api/v1/ballots", timeout=10).json()
    open_ballot = next(ballot for ballot in ballots if ballot["status"] == "open")
    made = httpx.post(f"{live_server.url}/api/v1/ballots", headers=token("moderator"), timeout=10, json={
        "title": "Brouillon de scrutin", "budget": 50_000, "neighbourhood_id": open_ballot["neighbourhood_id"],
        "opens_at": "2030-01-01T08:00:00+01:00", "closes_at": "2030-02-01T20:00:00+01:00"})
    assert made.status_code == 201, made.text
    ballot_id = made.json()["id"]
    hoods = httpx.get(f"{live_server.url}/api/v1/neighbourhoods", timeout=10).json()
    categories = {p["category"] for p in httpx.get(f"{live_server.url}/api/v1/proposals", timeout=10).json()["items"]}
    made = httpx.post(f"{live_server.url}/api/v1/proposals", headers=token("citizen"), timeout=10, json={
        "title": "Un verger partagé", "summary": "Des pommiers", "category": sorted(categories)[0],
        "neighbourhood_id": hoods[0]["id"], "estimated_cost": 12_000})
    assert made.status_code == 201, made.text
    proposal_id = made.json()["id"]
    districts = []
    for hood in hoods[:2]:  # a group of two district drafts (its edit page is linked only from its ballots)
        made = httpx.post(f"{live_server.url}/api/v1/ballots", headers=token("admin"), timeout=10, json={
            "title": "Brouillon de quartier", "budget": 50_000, "neighbourhood_id": hood["id"],
            "requires_residence": False, "opens_at": "2030-01-01T08:00:00+01:00",
            "closes_at": "2030-02-01T20:00:00+01:00"})
        assert made.status_code == 201, made.text
        districts.append(made.json()["id"])
    made = httpx.post(f"{live_server.url}/api/v1/ballot-groups", headers=token("admin"), timeout=10, json={
        "title": "Quartiers 2030", "ballot_ids": districts, "extra_districts": 0})
    assert made.status_code == 201, made.text
    return (f"/ballots/{ballot_id}", f"/proposals/{proposal_id}", f"/ballots/{districts[0]}/manage")


@pytest.fixture(scope="module")
def tabs(browser, live_server) -> Iterator[dict[str | None, object]]:  # type: ignore[no-untyped-def]
    """One logged-in tab per role (and an anonymous one), kept for the whole module."""
    contexts, opened = [], {}
    for role in ROLES:
        context = browser.new_context(base_url=live_server.url, locale="fr-FR")
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = context.new_page()
        if role is not None:
            account = next(account for account in DEMO_ACCOUNTS if account.role == role)
            login(tab, account.email, account.password)
        opened[role] = tab
    yield opened
    for context in contexts:
        context.close()


def test_every_page_fits_a_phone_and_passes_axe_for_every_role(tabs, live_server, drafts):
    routes = page_routes(live_server)
    assert "/" in routes and "/ballots/{ballot_id:int}" in routes, routes
    visit = Visit()
    for role, tab in tabs.items():
        for path in [*(path for path in routes if "{" not in path), *EXTRA_PAGES, *drafts]:
            check_page(tab, path, role, visit)
    waiting = [path for path in routes if "{" in path]
    for _ in range(3):  # pages found on pages found on the fixed pages (a result links to its bulletin board)
        still = []
        for path in waiting:
            pattern = route_pattern(path)
            samples = sorted(link for link in visit.links if pattern.match(link))[:SAMPLES_PER_ROUTE]
            if not samples:
                still.append(path)
            for sample in samples:
                for role, tab in tabs.items():
                    check_page(tab, sample, role, visit)
        waiting = still
    assert visit.problems == [], f"{len(visit.problems)} problems on {visit.checked} pages:\n" + "\n".join(
        visit.problems)
    assert waiting == [], f"no visited page links to these pages (add a sample to EXTRA_PAGES): {waiting}"
