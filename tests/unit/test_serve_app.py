"""The served worker's app factory moves what start-up built out of the garbage collector's sight once started."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest


def test_serve_app_freezes_the_start_up_heap_after_start_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from voting.app import serve_app

    monkeypatch.setenv("GREENBALLOT_DATA_DIR", str(tmp_path))
    app = serve_app()
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        for hook in app.on_startup:
            asyncio.run(hook(app))
        assert gc.get_freeze_count() > 10_000  # the modules, routes and app built at start-up
    finally:
        gc.unfreeze()
