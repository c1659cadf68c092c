"""No mail is lost when the server dies: a review commits its mail, ``kill -9`` before it is sent, and the next
start delivers it exactly once. Real ``greenballot serve`` processes, a real SMTP server, their own database."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import create_database, drop_database, libpq_url
from tests.mail_server import smtp_server
from tests.web.conftest import free_port
from voting.proposals.demo_seed import WAITING_FOR_REVIEW

PROPOSER = "citizen@demo.greenballot.test"
MODERATOR = ("moderator@demo.greenballot.test", "moderator-demo-2026")
REASON = "Précisez l'emplacement des massifs, s'il vous plaît."


@pytest.fixture
def database(pg_server_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A migrated database of its own; the environment to run ``greenballot`` on it."""
    database = create_database(pg_server_url, "gb_mail")
    env = {key: value for key, value in os.environ.items() if not key.startswith("GREENBALLOT_")}
    env.update(DATABASE_URL=libpq_url(database), GREENBALLOT_DATA_DIR=str(tmp_path),
               GREENBALLOT_PUBLIC_URL="https://budget.ville.example")
    try:
        yield env
    finally:
        drop_database(pg_server_url, database)


@pytest.fixture
def city(database: dict[str, str]) -> dict[str, str]:
    """The demo city seeded in that database (a moderator, and a proposal waiting for review)."""
    seeded = run_cli(database, "demo", "--seed-only")
    assert seeded.returncode == 0, seeded.stderr
    return database


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voting.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def start_server(env: dict[str, str], smtp_port: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server_env = {**env, "GREENBALLOT_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}"}
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen([sys.executable, "-m", "voting.cli", "serve", "--port", str(port)],
                                   env=server_env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("server did not start:\n" + log.read_text())
        time.sleep(0.2)


def query(env: dict[str, str], sql: str, *args: object) -> list[asyncpg.Record]:
    async def fetch() -> list[asyncpg.Record]:
        connection = await asyncpg.connect(env["DATABASE_URL"])
        try:
            return await connection.fetch(sql, *args)
        finally:
            await connection.close()

    return asyncio.run(fetch())


def wait_for(condition, seconds: float = 30) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_killing_the_server_between_the_commit_and_the_sending_loses_no_mail(city, tmp_path):
    log = tmp_path / "server.log"
    closed_port = free_port()  # nothing listens here: the first server cannot send
    server, url = start_server(city, closed_port, log)
    try:
        token = httpx.post(f"{url}/api/v1/auth/token", json={"email": MODERATOR[0], "password": MODERATOR[1]},
                           timeout=10).json()["access_token"]
        (proposal,) = query(city, "SELECT id FROM proposal WHERE title = $1", WAITING_FOR_REVIEW[2])
        answer = httpx.post(f"{url}/api/v1/proposals/{proposal['id']}/transitions",
                            json={"action": "request_changes", "message": REASON},
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 200, answer.text
        assert wait_for(lambda: "cannot reach the SMTP server" in log.read_text(), 15), log.read_text()
        (waiting,) = query(city, "SELECT status, attempts, kind FROM mail_outbox WHERE to_address = $1", PROPOSER)
        assert (waiting["status"], waiting["attempts"], waiting["kind"]) == ("pending", 0, "proposal_reviewed")
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=20)

    refused = run_cli({**city, "GREENBALLOT_SMTP_URL": f"smtp://127.0.0.1:{closed_port}"}, "mail", "send-pending")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("greenballot: error: cannot reach the SMTP server 127.0.0.1:")
    assert len(refused.stderr.strip().splitlines()) == 1

    with smtp_server() as mailbox:
        server, url = start_server(city, mailbox.port, log)
        try:
            assert wait_for(lambda: len(mailbox.to(PROPOSER)) >= 1), log.read_text()
            time.sleep(1.5)  # a second delivery, if any, would come within the next poll
        finally:
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=30) == 0
        again = run_cli({**city, "GREENBALLOT_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}"}, "mail", "send-pending")
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == "0 sent, 0 failed, 0 to retry later"
        (message,) = mailbox.to(PROPOSER)
    assert message["Subject"].startswith("Votre proposition «\u202fJardin de pluie")
    assert REASON in message.get_body(("plain",)).get_content()
    assert f"https://budget.ville.example/proposals/{proposal['id']}" in message.get_body(("plain",)).get_content()
    (sent,) = query(city, "SELECT status, attempts, sent_at FROM mail_outbox WHERE to_address = $1", PROPOSER)
    assert (sent["status"], sent["attempts"]) == ("sent", 1) and sent["sent_at"] is not None


def test_send_pending_delivers_what_is_due_and_two_senders_never_send_one_message_twice(database):
    city = database
    query(city, """INSERT INTO mail_outbox (message_id, to_address, kind, language, subject, body_text, body_html)
                   SELECT '<m' || n || '@test>', 'r' || n || '@example.org', 'results_published', 'en',
                          'Results ' || n, 'text ' || n, '<p>html ' || n || '</p>'
                   FROM generate_series(1, 60) AS n""")
    with smtp_server() as mailbox:
        env = {**city, "GREENBALLOT_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}"}
        senders = [subprocess.Popen([sys.executable, "-m", "voting.cli", "mail", "send-pending"], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [sender.communicate(timeout=120) for sender in senders]
        assert [sender.returncode for sender in senders] == [0, 0], outputs
        delivered = sorted(message["Message-ID"] for _, message in mailbox.messages)
    assert delivered == sorted(f"<m{n}@test>" for n in range(1, 61))
    counts = [int(out.split(" sent")[0]) for out, _ in outputs]
    assert sum(counts) == 60
    assert query(city, "SELECT count(*) AS n FROM mail_outbox WHERE status <> 'sent'")[0]["n"] == 0


def test_operators_see_failed_mail_and_try_it_again(database):
    query(database, """INSERT INTO mail_outbox (message_id, to_address, kind, language, subject, body_text, body_html,
                                               status, attempts, last_error, next_attempt_at)
                       VALUES ('<f1@test>', 'gone@example.org', 'reset_password', 'fr', 's', 't', 'h', 'failed', 1,
                               '550 5.1.1 No such user', now()),
                              ('<p1@test>', 'busy@example.org', 'confirm_email', 'fr', 's', 't', 'h', 'pending', 3,
                               '451 try later', now() + interval '2 hours')""")
    status = run_cli(database, "mail", "status")
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert lines[0].startswith("pending 1 (0 due now, the oldest written ") and lines[1:3] == ["sent 0", "failed 1"]
    assert "reset_password to gone@example.org after 1 try: 550 5.1.1 No such user" in lines[3]
    bad = run_cli(database, "mail", "retry", "0")
    assert bad.returncode == 2 and bad.stderr.startswith("greenballot: error: message ids are positive")
    retried = run_cli(database, "mail", "retry")
    assert retried.returncode == 0 and retried.stdout.strip() == "2 messages will be tried again"
    rows = {r["message_id"]: r for r in query(database, "SELECT message_id, status, attempts, "
                                                        "next_attempt_at <= now() AS due FROM mail_outbox")}
    failed, waiting = rows["<f1@test>"], rows["<p1@test>"]
    assert (failed["status"], failed["attempts"], failed["due"]) == ("pending", 0, True)
    assert (waiting["attempts"], waiting["due"]) == (3, True)
    (audit,) = query(database, "SELECT actor, data FROM audit_entry WHERE action = 'mail.retried'")
    assert audit["actor"] == "cli"
    assert run_cli(database, "mail", "status").stdout.startswith("pending 2 (2 due now")
