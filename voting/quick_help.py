"""``greenballot --help`` without importing argparse: the text argparse prints, formatted the way it formats it.

argparse and the help formatter cost more than the interpreter's own start; the command list is a table, so its
help can be laid out here (tests/unit/test_cli_startup.py compares it with argparse's at several widths). Anything
this layout does not cover (a narrow terminal, a word longer than the help column, ``%`` or ``-`` in a help
that argparse would expand or break) answers ``None``: the caller then asks argparse.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

__all__ = ["terminal_width", "top_level_help"]

HELP_FLAG = ("-h, --help", "show this help message and exit")


def terminal_width() -> int:
    """The width argparse formats for: ``$COLUMNS``, else the terminal's, else 80; minus 2."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return columns - 2


def _wrap(text: str, width: int) -> list[str] | None:
    words, lines, line = text.split(), [], ""
    for word in words:
        if len(word) > width:
            return None
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def _entry(name: str, text: str, indent: int, position: int, width: int) -> str | None:
    lines = _wrap(text, max(width - position, 11))
    if lines is None or not lines:
        return None
    if len(name) <= position - indent - 2:
        head = f"{' ' * indent}{name:<{position - indent - 2}}  {lines[0]}\n"
    else:
        head = f"{' ' * indent}{name}\n{' ' * position}{lines[0]}\n"
    return head + "".join(f"{' ' * position}{line}\n" for line in lines[1:])


def top_level_help(prog: str, description: str, metavar: str, commands: Iterable[tuple[str, str]],
                   width: int | None = None) -> str | None:
    """What ``ArgumentParser(prog, description).add_subparsers(metavar=metavar)`` with ``commands`` (name, help)
    prints for ``--help``, or ``None`` where this layout might differ from argparse's."""
    width = terminal_width() if width is None else width
    commands = list(commands)
    usage = f"usage: {prog} [-h] {metavar} ..."
    if width < 40 or len(usage) > width or any(c in text for _, text in commands for c in "%-"):
        return None
    longest = max(len(name) for name, _ in [*commands, (metavar, ""), HELP_FLAG]) + 2
    position = min(longest + 2, min(24, max(width - 20, 4)))
    description_lines = _wrap(description, width)
    entries = [_entry(name, text, 4, position, width) for name, text in commands]
    flag = _entry(*HELP_FLAG, 2, position, width)
    if description_lines is None or flag is None or any(entry is None for entry in entries):
        return None
    return (f"{usage}\n\n" + "\n".join(description_lines) + "\n\npositional arguments:\n"
            f"  {metavar}\n" + "".join(entries) + f"\noptions:\n{flag}")  # type: ignore[arg-type]
