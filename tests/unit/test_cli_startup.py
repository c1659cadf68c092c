"""The command line starts fast: building it, `tally` and `verify` import neither the web stack nor the ORM."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("litestar", "sqlalchemy", "sqlmodel", "asyncpg", "jinja2", "alembic")


def imported_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return {name for name in done.stdout.strip().split(",") if name}


def test_building_the_parser_imports_nothing_heavy():
    assert imported_after("from voting.cli import build_parser; build_parser()") == set()


def test_verify_imports_nothing_heavy(tmp_path):
    code = ("from voting.cli import main\n"
            f"try:\n    main(['verify', {str(tmp_path)!r}])\nexcept SystemExit:\n    pass")
    assert imported_after(code) == set()


def test_help_imports_no_other_package(tmp_path):
    code = ("import contextlib, io\nfrom voting.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('ballots', 'auth', 'voting') "
            "and m not in ('voting', 'voting.cli', 'voting.quick_help'))))")
    done = subprocess.run([sys.executable, "-c", "import sys\n" + code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
    assert imported_after(code) == set()


def test_lazy_commands_have_the_help_of_their_package():
    from voting.cli import LAZY_COMMANDS, build_parser

    full = build_parser("*")
    (commands,) = [action for action in full._actions if hasattr(action, "choices") and action.choices
                   and "serve" in action.choices]
    helps = {choice.dest: choice.help for choice in commands._choices_actions}
    for name, (_, help_text) in LAZY_COMMANDS.items():
        if name == "tally" and name not in helps:
            continue  # the tally engine is optional
        assert helps[name] == help_text, name
    lazy = build_parser(None).format_help()
    assert lazy == full.format_help()  # --help shows the same text without importing the packages


def test_a_command_imports_only_its_package():
    assert "voting.tally.cli" not in imported_modules("from voting.cli import build_parser; build_parser('verify')")
    assert "voting.results.cli" in imported_modules("from voting.cli import build_parser; build_parser('verify')")


def imported_modules(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", f"import sys\n{code}\nprint(','.join(sys.modules))"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.strip().split(","))


def test_help_is_printed_without_argparse():
    code = ("import contextlib, io\nfrom voting.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['--help']) == 0\n")
    assert "argparse" not in imported_modules(code)
    assert "argparse" in imported_modules(code.replace("'--help'", "'tally', '--help'").replace(
        "assert main", "with contextlib.suppress(SystemExit): main"))  # a command's help is argparse's


@pytest.mark.parametrize("columns", [50, 64, 80, 81, 120, 200])
def test_quick_help_is_argparse_help(monkeypatch, capsys, columns):
    from voting.cli import build_parser, main

    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["--help"]) == 0
    assert capsys.readouterr().out == build_parser(None).format_help()


def test_a_narrow_terminal_gets_argparse_help(monkeypatch, capsys):
    from voting.cli import build_parser, main

    monkeypatch.setenv("COLUMNS", "30")
    with pytest.raises(SystemExit):
        main(["-h"])
    assert capsys.readouterr().out == build_parser(None).format_help()
