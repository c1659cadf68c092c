"""``greenballot census import`` on a real database: the report and rejected rows, exit 0 when the file was read,
exit 2 and one line when it cannot be used (the census then unchanged)."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import asyncpg
import pytest

from tests.conftest import create_database, drop_database, in_thread, libpq_url


def run(*args, env):
    return subprocess.run([sys.executable, "-m", "voting.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.fixture(scope="module")
def own_database(pg_server_url):
    """The command commits: give it a database of its own."""
    url = create_database(pg_server_url, "gb_census_cli")
    yield url
    drop_database(pg_server_url, url)


def sql(url, query, *args):
    async def go():
        connection = await asyncpg.connect(libpq_url(url))
        try:
            return await connection.fetch(query, *args)
        finally:
            await connection.close()

    return in_thread(asyncio.run, go())


@pytest.fixture
def cli_env(own_database, tmp_path):
    return {"PATH": "/usr/bin:/bin", "DATABASE_URL": libpq_url(own_database), "GREENBALLOT_DATA_DIR": str(tmp_path)}


def test_census_import_reports_rejected_rows_and_verifies_accounts(cli_env, own_database, tmp_path):
    sql(own_database, "INSERT INTO neighbourhood (slug, name_fr, name_en, postcodes) VALUES "
                      "('cli-centre', 'Centre', 'Centre', '{63000}') ON CONFLICT DO NOTHING")
    added = subprocess.run([sys.executable, "-m", "voting.cli", "user", "add", "cli-resident@example.org", "--role",
                            "citizen", "--password-stdin"], input="long-enough-pw\n", capture_output=True, text=True,
                           env=cli_env, timeout=120)
    assert added.returncode == 0, added.stderr
    sql(own_database, "UPDATE account SET verified_at = NULL, verified_how = NULL "
                      "WHERE email = 'cli-resident@example.org'")  # confirmed (the city made it), not verified
    census = tmp_path / "census.csv"
    census.write_text("email;document_id;birth_date;postcode\n"
                      "cli-resident@example.org;;1990-05-17;63000\n"
                      ";XY 445566;01/02/1960;63000\n"
                      "nobody@example.org;;1990-13-01;63000\n"
                      "far@example.org;;1990-01-01;99999\n", encoding="utf-8")
    done = run("census", "import", str(census), env=cli_env)
    assert done.returncode == 0, done.stderr
    assert "4 rows read, 2 stored, 2 rejected; 1 accounts verified" in done.stdout
    assert "rejected rows" in done.stdout and "not a real date" in done.stdout and "99999" in done.stdout
    (account,) = sql(own_database, "SELECT verified_how, birth_date FROM account "
                                   "WHERE email = 'cli-resident@example.org'")
    assert account["verified_how"] == "census" and str(account["birth_date"]) == "1990-05-17"
    rows = sql(own_database, "SELECT email, document_hash FROM census_entry ORDER BY id")
    assert [r["email"] for r in rows] == ["cli-resident@example.org", None]
    assert rows[1]["document_hash"] and "445566" not in rows[1]["document_hash"]
    (run_row,) = sql(own_database, "SELECT imported_by, rows_stored FROM census_import ORDER BY id DESC LIMIT 1")
    assert run_row["imported_by"].startswith("cli") and run_row["rows_stored"] == 2
    (entry,) = sql(own_database, "SELECT data FROM audit_entry WHERE action = 'census.imported' ORDER BY seq DESC "
                                 "LIMIT 1")
    assert "cli-resident" not in entry["data"] and "445566" not in entry["data"]


@pytest.mark.parametrize(("content", "words"), [
    ("email,birth_date\nx@example.org,1990-01-01\n", "the header needs a column postcode / neighbourhood"),
    ("email,birth_date,postcode\nbad,1990-01-01,63000\n", "No row of the census file can be stored"),
    (None, "cannot read"),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_an_unusable_file_is_one_line_and_exit_2(cli_env, own_database, tmp_path, content, words):
    before = sql(own_database, "SELECT count(*) AS n FROM census_import")[0]["n"]
    census = tmp_path / "census.csv"
    if isinstance(content, bytes):
        census.write_bytes(content)
    elif content is not None:
        census.write_text(content, encoding="utf-8")
    done = run("census", "import", str(census), env=cli_env)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and words in done.stderr and "Traceback" not in done.stderr
    assert sql(own_database, "SELECT count(*) AS n FROM census_import")[0]["n"] == before
