"""Applies the Alembic migrations (``circlebot db upgrade``); the schema is never built otherwise."""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config

MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


def alembic_config(url: str) -> Config:
    """An Alembic config for database ``url``, with no ini file needed."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Brings the database at ``url`` up to ``revision``."""
    command.upgrade(alembic_config(url), revision)
