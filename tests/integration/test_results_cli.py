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
    assert cli(env, "verify", str(copy), "--trust-keys-in-export").returncode == 0


def test_one_changed_vote(exported, copy):
    pb = copy / "election.pb"
    text = lines(pb)
    # the first vote (in the export's shuffled order) that giving one point to each of its projects changes
    row = next(n for n in range(text.index("VOTES") + 2, len(text))
               if text[n] and set(text[n].split(";")[2].split(",")) != {"1"})
    voter, vote, points = text[row].split(";")
    text[row] = f"{voter};{vote};{','.join('1' for _ in points.split(','))}"
    pb.write_text("\n".join(text) + "\n")
    done = cli(exported[0], "verify", str(copy), "--trust-keys-in-export")
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
    done = cli(exported[0], "verify", str(copy), "--trust-keys-in-export")
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
    done = cli(exported[0], "verify", str(copy), "--trust-keys-in-export")
    assert done.returncode == 1
    assert "result.csv does not match its signature" in done.stderr
    assert "result.csv marks" in done.stderr


def test_verify_without_keys_fails_closed(exported, copy):
    done = cli(exported[0], "verify", str(copy))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1 and "--trust-keys-in-export" in done.stderr and "--keys" in done.stderr
    trusted = cli(exported[0], "verify", str(copy), "--trust-keys-in-export")
    assert trusted.returncode == 0 and "keys shipped in the export" in trusted.stdout


def test_a_missing_folder_is_one_line(exported, tmp_path):
    done = cli(exported[0], "verify", str(tmp_path / "nowhere"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1


SMALL_PB = ("META\nkey;value\ndescription;{description}\nnum_projects;2\nnum_votes;3\nbudget;{budget}\n"
            "vote_type;approval\nrule;greedy\ndate_end;{date_end}\nPROJECTS\nproject_id;cost;votes;name\n"
            "{pid};{cost};2;Park\nb;40;2;Bench\nVOTES\nvoter_id;vote\n1;{pid},b\n2;{pid}\n3;b\n")


def small_pb(**changes):
    values = {"description": "Imported", "budget": "100", "date_end": "31.10.2022", "pid": "a", "cost": "60"} | changes
    return SMALL_PB.format(**values)


@pytest.mark.parametrize(("changes", "message"), [
    ({"budget": "1e999999999"}, "line 6, field 'budget': not a plain decimal number"),
    ({"budget": "-100"}, "line 6, field 'budget': negative number"),
    ({"cost": "60.5"}, "project 'a''s cost must be a positive whole amount"),
    ({"budget": "99999999999999999999"}, "line 6, field 'budget'"),
    ({"pid": "p" * 65}, "line 12: project id longer than 64 characters"),
])
def test_a_refused_import_is_one_line_and_exit_code_2(exported, tmp_path, changes, message):
    path = tmp_path / "bad.pb"
    path.write_text(small_pb(**changes))
    done = cli(exported[0], "ballot", "import", str(path))
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert message in done.stderr and done.stderr.count("\n") == 1 and "Error" not in done.stderr


def test_a_cut_or_padded_file_is_refused(exported, tmp_path):
    path = tmp_path / "cut.pb"
    path.write_text(small_pb().removesuffix("3;b\n"))
    done = cli(exported[0], "ballot", "import", str(path))
    assert done.returncode == 2 and "field 'num_votes'" in done.stderr
    path.write_text(small_pb() + "2;a\n")
    done = cli(exported[0], "ballot", "import", str(path))
    assert done.returncode == 2 and "voter '2' appears twice" in done.stderr


def test_long_meta_values_and_odd_dates_still_import(exported, tmp_path):
    path = tmp_path / "long.pb"
    path.write_text(small_pb(description="d" * 5000, date_end="31.12.0001"))
    done = cli(exported[0], "ballot", "import", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().isdigit()


def test_the_largest_amounts_import_and_tally(exported, tmp_path):
    largest = str(2**53 - 1)  # the signed result and the audit log are canonical JSON: exact up to 2^53 - 1
    path = tmp_path / "large.pb"
    path.write_text(small_pb(budget=largest).replace("a;60;2;Park", f"a;{largest};2;Park"))
    done = cli(exported[0], "ballot", "import", str(path))
    assert done.returncode == 0, done.stderr
    done = cli(exported[0], "ballot", "tally", done.stdout.strip())
    assert done.returncode == 0, done.stderr
    assert f"1 projects selected for 40 of {largest}" in done.stdout  # a and b tie; min-cost takes b, a no longer fits


def test_vote_columns_outside_pabulib_are_kept_only_when_asked(exported, tmp_path):
    """A private file naming its voters: by default the names are not stored, so the export cannot republish
    them (stderr says which columns were left out); --keep-extra-vote-columns keeps them, knowingly."""
    path = tmp_path / "named.pb"
    text = small_pb().replace("voter_id;vote\n", "voter_id;vote;sex;full_name\n")
    path.write_text(text.replace("1;a,b\n", "1;a,b;F;Anna Nowak\n").replace("2;a\n", "2;a;M;Jan Kowalski\n")
                    .replace("3;b\n", "3;b;;Ewa Lis\n"))
    for options, kept in (((), False), (("--keep-extra-vote-columns",), True)):
        done = cli(exported[0], "ballot", "import", str(path), *options)
        assert done.returncode == 0, done.stderr
        assert ("full_name" in done.stderr) is not kept and "Anna" not in done.stderr
        ballot = done.stdout.strip()
        for step in (("ballot", "tally", ballot), ("ballot", "publish", ballot)):
            assert cli(exported[0], *step).returncode == 0
        folder = tmp_path / f"export-{ballot}"
        done = cli(exported[0], "export", ballot, "--format", "pb", "--output", str(folder))
        assert done.returncode == 0, done.stderr
        written = (folder / "election.pb").read_text()
        assert ("voter_id;vote;sex;full_name\n" in written) is kept and ("Anna Nowak" in written) is kept
        if not kept:
            assert "voter_id;vote;sex\n1;a,b;F\n2;a;M\n3;b;\n" in written  # Pabulib's columns, as the file had them
