"""In Chromium, as a new resident would: register, get the confirmation mail from a real SMTP server, confirm,
have the residence verified (by the census, or at a moderator's desk), see "you can vote", vote, get a receipt;
and a resident of another neighbourhood is told why before any vote form. Every page passes axe-core."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from auth.census.demo_seed import DEMO_DOCUMENT, DEMO_DOCUMENT_BIRTH_DATE
from tests.conftest import create_database, drop_database, libpq_url
from tests.factories import unique
from tests.mail_server import Mailbox, smtp_server
from tests.web.conftest import assert_accessible, free_port, login, serving
from voting.demo import BALLOT_TITLE, DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

PASSWORD = "a-long-resident-password"
MODERATOR = next(account for account in DEMO_ACCOUNTS if account.role == "moderator")


@dataclass
class City:
    url: str
    mailbox: Mailbox
    ballot_id: int


@pytest.fixture(scope="module")
def city(pg_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    """The demo city served by ``greenballot serve``, sending its mail to a real local SMTP server."""
    database = create_database(pg_server_url, "gb_residents")
    data_dir: Path = tmp_path_factory.mktemp("residents")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with smtp_server() as mailbox:
        env = {**os.environ, "DATABASE_URL": libpq_url(database), "GREENBALLOT_DATA_DIR": str(data_dir),
               "GREENBALLOT_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}", "GREENBALLOT_PUBLIC_URL": url}
        seeded = subprocess.run([sys.executable, "-m", "voting.cli", "demo", "--seed-only"], env=env,
                                capture_output=True, text=True, timeout=180)
        assert seeded.returncode == 0, seeded.stderr
        try:
            with serving(env, port, data_dir / "server.log"):
                ballots = httpx.get(f"{url}/api/v1/ballots", timeout=10).json()
                ballot_id = next(ballot["id"] for ballot in ballots if ballot["title"] == BALLOT_TITLE)
                yield City(url, mailbox, ballot_id)
        finally:
            drop_database(pg_server_url, database)


@pytest.fixture
def tab(browser, city: City):  # type: ignore[no-untyped-def]
    """A phone-sized page on the city, in French (the conftest's ``browser``: Debian's Chromium)."""
    context = browser.new_context(base_url=city.url, locale="fr-FR", viewport={"width": 390, "height": 844})
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def mail_to(mailbox: Mailbox, address: str, seconds: float = 30) -> EmailMessage:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = mailbox.to(address)
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no mail to {address} within {seconds} s")


def link_in(message: EmailMessage, base: str) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(re.escape(base) + r"/\S+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


def register(tab, city: City, *, neighbourhood: str, born: str, email: str) -> None:  # type: ignore[no-untyped-def]
    """Register on the page and confirm the address with the link of the mail the city sent."""
    tab.goto("/register")
    assert_accessible(tab)
    tab.fill("#display_name", "Nour Habitante")
    tab.fill("#email", email)
    tab.fill("#password", PASSWORD)
    tab.select_option("#neighbourhood", neighbourhood)
    tab.fill("#birth_date", born)
    tab.check("input[name=consent]")
    tab.get_by_role("button", name="S'inscrire").click()
    assert email in tab.get_by_role("status").inner_text()
    assert_accessible(tab)

    message = mail_to(city.mailbox, email)
    assert message["Content-Language"] == "fr"
    tab.goto(link_in(message, city.url))
    assert_accessible(tab)


def standing(tab, city: City) -> str:  # type: ignore[no-untyped-def]
    tab.goto(f"/ballots/{city.ballot_id}")
    assert_accessible(tab)
    return str(tab.get_by_test_id("standing").get_attribute("data-can-vote"))


def vote_and_get_receipt(tab, city: City) -> str:  # type: ignore[no-untyped-def]
    tab.get_by_test_id("vote-link").click()
    assert_accessible(tab)
    tab.get_by_label(re.compile("Pommiers et poiriers place de Jaude")).check()
    tab.get_by_role("button", name="Relire mon vote").click()  # the review step
    tab.get_by_role("button", name="Voter").click()
    code = tab.get_by_test_id("receipt-code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4}){6}", code)
    assert_accessible(tab)
    checked = httpx.post(f"{city.url}/api/v1/receipts/", json={"code": code}, timeout=10).json()
    assert checked["status"] == "recorded", checked
    return code


def test_a_new_resident_registers_confirms_is_verified_by_the_census_and_votes(tab, city):
    email = f"{unique('nour')}@example.org"
    register(tab, city, neighbourhood="centre-jaude", born=DEMO_DOCUMENT_BIRTH_DATE.isoformat(), email=email)
    login(tab, email, PASSWORD)
    assert standing(tab, city) == "no"  # confirmed, but the residence is only declared
    assert tab.locator("form[action$='/vote']").count() == 0
    reasons = tab.get_by_test_id("standing-reasons")
    assert reasons.locator("[data-code='eligibility.verified']").count() == 1

    tab.goto("/account")
    assert_accessible(tab)
    tab.goto("/account/residence")
    assert_accessible(tab)
    tab.fill("#document_id", DEMO_DOCUMENT.lower().replace(" ", "-"))  # typed as a resident might
    tab.fill("#birth_date", DEMO_DOCUMENT_BIRTH_DATE.isoformat())
    tab.get_by_role("button", name=re.compile("Vérifier")).click()
    assert_accessible(tab)

    assert standing(tab, city) == "yes"
    assert "vérifié" in tab.get_by_test_id("standing-sources").inner_text()
    vote_and_get_receipt(tab, city)


def test_a_moderator_verifies_a_resident_at_the_desk_who_then_votes(tab, city):
    email = f"{unique('leon')}@example.org"
    register(tab, city, neighbourhood="centre-jaude", born="1979-12-01", email=email)

    login(tab, MODERATOR.email, MODERATOR.password)
    tab.goto("/desk")
    assert_accessible(tab)
    tab.fill("#q", email)
    tab.get_by_role("button", name=re.compile("Chercher|Rechercher")).click()
    tab.locator("tr", has_text=email).get_by_role("link").click()
    assert_accessible(tab)
    tab.select_option("#neighbourhood", "centre-jaude")
    tab.fill("#birth_date", "1979-12-01")
    tab.get_by_label(re.compile("pièce d'identité en personne")).check()
    tab.get_by_role("button", name=re.compile("Enregistrer|Vérifier")).click()
    assert "vérifié" in tab.get_by_role("status").inner_text()
    assert_accessible(tab)
    tab.get_by_role("button", name="Se déconnecter").click()

    login(tab, email, PASSWORD)
    assert standing(tab, city) == "yes"
    vote_and_get_receipt(tab, city)


def test_a_resident_of_another_neighbourhood_is_told_why_before_any_form(tab, city):
    email = f"{unique('ines')}@example.org"
    register(tab, city, neighbourhood="croix-de-neyrat", born="1986-02-11", email=email)
    login(tab, email, PASSWORD)
    tab.goto("/account/residence")
    tab.fill("#document_id", "CF 2026 0043")
    tab.fill("#birth_date", "1986-02-11")
    tab.get_by_role("button", name=re.compile("Vérifier")).click()

    assert standing(tab, city) == "no"
    reasons = tab.get_by_test_id("standing-reasons")
    assert reasons.locator("[data-code='eligibility.residence']").count() == 1
    assert "autre quartier" in reasons.inner_text()
    assert tab.get_by_test_id("vote-link").count() == 0
    tab.goto(f"/ballots/{city.ballot_id}/vote")
    assert tab.locator("input[name=projects]").count() == 0
    assert_accessible(tab)


ADMIN = next(account for account in DEMO_ACCOUNTS if account.role == "admin")


@pytest.mark.parametrize("width", [390, 1280])
def test_every_new_page_of_the_resident_journey_passes_axe(tab, city, width):
    """The pages this journey added that the walks above do not open, anonymous and as an admin."""
    tab.set_viewport_size({"width": width, "height": 900})
    for path in ("/privacy", "/password-reset", "/password-reset/new?token=not-a-real-token", "/login",
                 "/account/confirm?token=not-a-real-token", "/"):
        tab.goto(path)
        assert_accessible(tab)
    login(tab, ADMIN.email, ADMIN.password)
    for path in ("/account", "/account/delete", "/account/residence", "/admin/census", "/admin/calendar", "/desk",
                 f"/ballots/{city.ballot_id}", f"/ballots/{city.ballot_id}/vote"):
        tab.goto(path)
        assert tab.locator("h1").count() >= 1, path
        assert_accessible(tab)


def test_the_accessibility_check_can_fail(tab):
    """The axe harness reports what it finds: a page with an image without text fails it."""
    from tests.web.conftest import axe_violations

    tab.set_content('<html lang="fr"><head><title>t</title></head><body><main><h1>t</h1>'
                    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>')
    assert "image-alt" in {violation["id"] for violation in axe_violations(tab)}
