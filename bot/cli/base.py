"""What every ``circlebot`` command shares: the app, its runtime, finding a circle, the clock."""

from __future__ import annotations

from datetime import datetime, timezone

import click


def make_app(overrides: dict | None = None, migrate_embedded: bool = True):
    """Creates the app; on the embedded SQLite default the migrations are applied first."""
    from bot.app import create_app
    from bot.store.migrate import upgrade

    app = create_app(overrides)
    runtime = app.extensions["circlebot"]
    if migrate_embedded and not runtime.settings.database_url:
        upgrade(runtime.database_url)
    return app


def runtime(overrides: dict | None = None):
    """The runtime (settings, unit of work, queue) of a fresh app."""
    return make_app(overrides).extensions["circlebot"]


def find_circle(session, code: str):
    """The circle with ``code``, or a usage error that says so."""
    from bot.domain import circles

    found = circles.find(session, code)
    if found is None:
        raise click.UsageError(
            f"there is no circle with the code {code.strip().upper()} "
            "(circlebot circle list shows them; add --all for archived ones)"
        )
    return found


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(timezone.utc)
