"""`greenballot tally` reads its usual options without argparse, to the same values; anything else goes to argparse."""

from __future__ import annotations

import argparse

import pytest

from voting.tally.cli import plain_args, register


def with_argparse(words: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="greenballot")
    register(parser.add_subparsers(dest="command"))
    return vars(parser.parse_args(["tally", *words]))


@pytest.mark.parametrize("words", [
    ["e.pb"],
    ["e.pb", "--rule", "phragmen"],
    ["--rule=equalshares", "e.pb", "--json"],
    ["e.pb", "--tie-break", "lexico", "--explain", "--check", "--rule", "greedy-threshold"],
    ["e.pb", "--tie-break=min-cost,lexico", "--json", "--explain"],
])
def test_usual_command_lines_read_as_argparse_reads_them(words: list[str]) -> None:
    assert vars(plain_args(words)) == with_argparse(words)


@pytest.mark.parametrize("words", [
    [], ["-h"], ["e.pb", "--help"], ["e.pb", "f.pb"], ["e.pb", "--rule"], ["e.pb", "--rule", "nope"],
    ["e.pb", "--ru", "greedy"], ["e.pb", "--json", "--json"], ["e.pb", "--rule", "greedy", "--rule", "irv"],
    ["--", "e.pb"], ["e.pb", "--rule", "--json"], ["e.pb", "--unknown"],
])
def test_anything_else_is_left_to_argparse(words: list[str]) -> None:
    assert plain_args(words) is None
