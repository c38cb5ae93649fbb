"""What every ``circlebot`` command shares: the app, its runtime, finding a circle, the clock."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import click

# The demo clock when the command's target is a demo instance (its folder keeps the demo's clock file).
_demo_clock = None
# The last command's runtime: a process that runs several commands (tests, a shell) closes its idle
# database connections when the next one starts, rather than keeping a pool per command.
_last_runtime = None


def make_app(overrides: dict | None = None, migrate_embedded: bool = True):
    """Creates the app; on the embedded SQLite default the migrations are applied first."""
    from bot.app import create_app
    from bot.store.migrate import upgrade

    global _last_runtime
    app = create_app(overrides)
    runtime = app.extensions["circlebot"]
    if _last_runtime is not None and _last_runtime is not runtime:
        _last_runtime.uow.engine.dispose()  # its idle connections; it can still connect again if used
    _last_runtime = runtime
    if migrate_embedded and not runtime.settings.database_url:
        upgrade(runtime.database_url)
    _use_demo_clock(app)
    return app


def _use_demo_clock(app) -> None:
    """On a demo instance, the commands run on the demo's clock, as its pages do, and say so on stderr."""
    global _demo_clock
    from bot.demo import seed as demo

    runtime = app.extensions["circlebot"]
    _demo_clock = None  # each command looks afresh: the last command's target may have been a demo instance
    if isinstance(runtime.clock, demo.DemoClock):
        _demo_clock = runtime.clock
        return
    if not os.path.exists(os.path.join(app.instance_path, demo.CLOCK_FILE)):
        return
    _demo_clock = demo.install_clock(runtime, app.instance_path)
    ctx = click.get_current_context(silent=True)
    if ctx is not None and (ctx.params.get("as_json") or ctx.params.get("json")):  # JSON output stays one document
        return
    click.echo(
        f"circlebot: a demo instance ({app.instance_path}): times are the demo clock's, now "
        f"{_demo_clock().strftime('%Y-%m-%d %H:%M')} UTC (demo time)",
        err=True,
    )


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
    """The current time in UTC (the demo clock's on a demo instance)."""
    return _demo_clock() if _demo_clock is not None else datetime.now(timezone.utc)
