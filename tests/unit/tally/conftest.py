"""Shared fixtures for the tally tests: where the Pabulib data lives, and the `slow` marker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
BIG_BYTES = 800_000  # pabutools takes seconds to minutes above this size


def pabulib_dir() -> Path | None:
    """GREENBALLOT_PABULIB_DIR, else ../shared/data/pabulib beside the repo, else the small files the repo ships
    in tests/data/pabulib (a clone alone runs these tests on them); None when none is there."""
    env = os.environ.get("GREENBALLOT_PABULIB_DIR")
    folder = Path(env) if env else REPO / ".." / "shared" / "data" / "pabulib"
    if not env and not folder.is_dir():
        folder = REPO / "tests" / "data" / "pabulib"
    return folder.resolve() if folder.is_dir() else None


def pabulib_files() -> list[Path]:
    """Every shared .pb file, smallest first (empty when the folder is absent)."""
    folder = pabulib_dir()
    return sorted(folder.glob("*.pb"), key=lambda p: p.stat().st_size) if folder else []


def file_params(big: bool | None = None, mark_big: bool = True, slow_above: int = BIG_BYTES,
                heavy: tuple[str, ...] = ()) -> list[object]:
    """pytest params for the shared files; big files are marked slow (or only small/big ones), the files named in
    ``heavy`` heavy (tests/conftest.py: run by .ci/run, skipped by README's command)."""
    params: list[object] = []
    for path in pabulib_files():
        large = path.stat().st_size > BIG_BYTES
        if big is not None and large != big:
            continue
        slow = path.stat().st_size > slow_above
        marks = [pytest.mark.slow] if slow and big is None and mark_big else []
        if path.stem in heavy:
            marks.append(pytest.mark.heavy)
        params.append(pytest.param(path, id=path.stem, marks=marks))
    if not params:
        params.append(pytest.param(None, id="no-pabulib-data"))
    return params


def need(path: Path | None) -> Path:
    """Skip with a clear reason when the shared data folder is missing."""
    if path is None:
        pytest.skip("Pabulib data not found: set GREENBALLOT_PABULIB_DIR or put shared/ beside the repo")
    return path


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: big-file oracle comparisons, deselected unless -m slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("-m") or "") or os.environ.get("GREENBALLOT_RUN_SLOW"):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow (or GREENBALLOT_RUN_SLOW=1)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
