"""``roll import``, ``ballot checkpoint`` and ``ballot receipt`` against a database of their own."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator

import pytest

from ballots.cli import register
from tests.ballot_factories import make_open_ballot
from tests.conftest import create_database, drop_database, in_thread
from tests.factories import make_account, make_neighbourhood
from voting.commands.runtime import CLIError
from voting.database import make_engine, make_session_maker
from voting.i18n import use_language


@pytest.fixture(scope="module")
def cli_url(pg_server_url: str) -> Iterator[str]:
    url = create_database(pg_server_url, "gb_ballot_cli")
    yield url
    drop_database(pg_server_url, url)


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="greenballot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    def english() -> int:
        use_language("en")
        return int(args.func(args))

    return int(in_thread(english))


def seed(url: str) -> int:
    async def work() -> int:
        engine = make_engine(url, pool_size=1)
        async with make_session_maker(engine)() as session:
            hood = await make_neighbourhood(session)
            owner = await make_account(session, "moderator", neighbourhoods=[hood.slug])
            ballot, _ = await make_open_ballot(session, hood, owner, requires_roll=True)
            await session.commit()
        await engine.dispose()
        return ballot.id or 0

    return in_thread(asyncio.run, work())


def test_roll_import_reports_rejected_rows_and_checkpoint_signs(cli_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", cli_url)
    monkeypatch.setenv("GREENBALLOT_DATA_DIR", str(tmp_path))
    ballot_id = seed(cli_url)
    roll = tmp_path / "roll.csv"
    roll.write_text("email,birth_date\nana@example.org,1990-01-01\nbob@example.org,2090-01-01\n")
    assert run("roll", "import", str(ballot_id), str(roll)) == 3
    out = capsys.readouterr().out
    assert "1 accepted (1 added, 0 updated), 1 rejected" in out and "line 3: impossible birth date" in out
    assert run("ballot", "checkpoint", str(ballot_id)) == 0
    assert "tree size 0" in capsys.readouterr().out
    with pytest.raises(CLIError, match="No ballot number 999999"):
        run("roll", "import", "999999", str(roll))
    with pytest.raises(CLIError, match="cannot read"):
        run("roll", "import", str(ballot_id), str(tmp_path / "missing.csv"))
    with pytest.raises(CLIError, match="No vote has this receipt code"):
        run("ballot", "receipt", "AAAA")


def test_roll_import_rejects_bad_rows_and_keeps_the_rest(cli_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", cli_url)
    monkeypatch.setenv("GREENBALLOT_DATA_DIR", str(tmp_path))
    ballot_id = seed(cli_url)
    roll = tmp_path / "roll.csv"
    roll.write_text("email;external_id\nana@example.org;A1\nbob@example.org;B2\n")
    assert run("roll", "import", str(ballot_id), str(roll)) == 0
    capsys.readouterr()
    roll.write_bytes(b"email;external_id\n"
                     b"ana@example.org;B2\n"               # two stored entries at once
                     b"nul\x00@example.org;C3\n"
                     b'"quote@example.org;D4\n'
                     b"long@example.org;" + b"x" * 200_000 + b"\n"
                     b"eve@example.org;E5\n"
                     b"eve@example.org;E6\n"               # conflicts with the line above
                     b"carl@example.org;C7\n")
    assert run("roll", "import", str(ballot_id), str(roll)) == 3
    out = capsys.readouterr().out
    assert "1 accepted (1 added, 0 updated), 6 rejected" in out
    for line, reason in [(2, "two different entries of the roll"), (3, "NUL"), (4, "unterminated quote"),
                         (5, "longer than"), (6, "conflicts with line 7"), (7, "conflicts with line 6")]:
        assert any(row.startswith(f"  line {line}: ") and reason in row for row in out.splitlines()), line
