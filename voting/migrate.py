"""Apply Alembic migrations programmatically (``greenballot db upgrade``, ``serve``, ``demo``)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["alembic_config", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database at ``url`` up to ``revision`` (all heads by default)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
