"""The auditor's round trip through the command line: import, tally, publish, export, verify offline — and
verify's precise reasons when one vote, one project cost or one selected flag is changed in the export."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import create_database, drop_database, libpq_url
from tests.integration.test_results_service import shared


def cli(env, *args):
    return subprocess.run([sys.executable, "-m", "voting.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def exported(pg_server_url, tmp_path_factory):
    url = create_database(pg_server_url, "gb_export")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": libpq_url(url),
           "GREENBALLOT_DATA_DIR": str(tmp_path_factory.mktemp("export-data"))}
    done = cli(env, "ballot", "import", str(shared("Poland_Czestochowa_2020_Grabowka.pb")))
    assert done.returncode == 0, done.stderr
    ballot = done.stdout.strip()
    for step in (("ballot", "tally", ballot), ("ballot", "publish", ballot)):
        done = cli(env, *step)
        assert done.returncode == 0, done.stderr
    folder = tmp_path_factory.mktemp("export")
    done = cli(env, "export", ballot, "--output", str(folder))
    assert done.returncode == 0, done.stderr
    yield env, folder
    drop_database(pg_server_url, url)


@pytest.fixture
def copy(exported, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(exported[1], target)
    return target


def lines(path):
    return path.read_text().splitlines()


def test_an_untouched_export_verifies(exported, copy):
    done = cli(exported[0], "verify", str(copy), "--keys", str(copy / "keys.json"))
    assert done.returncode == 0, done.stderr
    assert "signatures valid" in done.stdout


def test_verify_runs_without_the_database(copy, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
           "GREENBALLOT_DATA_DIR": str(tmp_path)}
    assert cli(env, "verify", str(copy)).returncode == 0


def test_one_changed_vote(exported, copy):
    pb = copy / "election.pb"
    text = lines(pb)
    # the first vote (in the export's shuffled order) that giving one point to each of its projects changes
    row = next(n for n in range(text.index("VOTES") + 2, len(text))
               if text[n] and set(text[n].split(";")[2].split(",")) != {"1"})
    voter, vote, points = text[row].split(";")
    text[row] = f"{voter};{vote};{','.join('1' for _ in points.split(','))}"
    pb.write_text("\n".join(text) + "\n")
    done = cli(exported[0], "verify", str(copy))
    assert done.returncode == 1
    assert "election.pb does not match its signature" in done.stderr
    assert "the bulletin board and election.pb disagree on 1 vote(s)" in done.stderr


def test_one_changed_project_cost(exported, copy):
    pb = copy / "election.pb"
    text = lines(pb)
    row = text.index("PROJECTS") + 2
    fields = text[row].split(";")
    fields[1] = str(int(fields[1]) + 1)
    text[row] = ";".join(fields)
    pb.write_text("\n".join(text) + "\n")
    done = cli(exported[0], "verify", str(copy))
    assert done.returncode == 1
    expected = f"project {fields[0]} costs {fields[1]} in election.pb but {int(fields[1]) - 1} in result.json"
    assert expected in done.stderr


def test_one_changed_selected_flag(exported, copy):
    import csv
    import io

    path = copy / "result.csv"
    rows = list(csv.reader(io.StringIO(path.read_text())))
    rows[1][5] = "0" if rows[1][5] == "1" else "1"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue())
    done = cli(exported[0], "verify", str(copy))
    assert done.returncode == 1
    assert "result.csv does not match its signature" in done.stderr
    assert "result.csv marks" in done.stderr


def test_a_missing_folder_is_one_line(exported, tmp_path):
    done = cli(exported[0], "verify", str(tmp_path / "nowhere"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
