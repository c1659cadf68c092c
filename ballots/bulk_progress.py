"""A rich progress bar for bulk imports on the command line, shown only when the output is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["file_progress"]

Counted = Callable[[Iterable[str]], Iterator[str]]


def _passthrough(lines: Iterable[str]) -> Iterator[str]:
    yield from lines


@contextmanager
def file_progress(path: Path, what: str) -> Iterator[tuple[Counted, Callable[[int], None] | None]]:
    """``(counted, progress)``: wrap the file's lines with ``counted`` and pass ``progress`` (rows read) to the
    import; the bar follows the bytes read against the file's size. Off (no cost) when stdout is not a TTY."""
    if not sys.stdout.isatty():
        yield _passthrough, None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    size = max(path.stat().st_size, 1)
    seen = [0]

    def counted(lines: Iterable[str]) -> Iterator[str]:
        for line in lines:
            seen[0] += len(line) + 1
            yield line

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[rows]} rows"),
                  TimeElapsedColumn(), TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task(f"{what} {path.name}", total=size, rows=0)

        def progress(rows: int) -> None:
            bar.update(task, completed=min(seen[0], size), rows=f"{rows:,}")

        yield counted, progress
        bar.update(task, completed=size)
