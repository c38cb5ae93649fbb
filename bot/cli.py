"""The ``circlebot`` command (DESIGN.md §2)."""
from __future__ import annotations

import json
import logging
import os
import sys
from datetime import date, datetime, time, timezone

import click
from sqlalchemy import select

from bot import circles as circle_ops
from bot.schedule import ScheduleError, iso_utc, weekday_number

from bot.demo import DEMO_CODE


def _app(overrides: dict | None = None, migrate_embedded: bool = True):
    """Creates the app; on the embedded SQLite default the migrations are applied first."""
    from bot.app import create_app
    from bot.migrate import upgrade

    app = create_app(overrides)
    runtime = app.extensions["circlebot"]
    if migrate_embedded and not runtime.settings.database_url:
        upgrade(runtime.database_url)
    return app


def _runtime(app):
    return app.extensions["circlebot"]


@click.group()
def main() -> None:
    """circlebot: learning circles by text, Telegram and phone."""
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


@main.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Applies the Alembic migrations."""
    from bot.migrate import upgrade

    runtime = _runtime(_app())
    upgrade(runtime.database_url)
    click.echo("database is up to date")


@main.group()
def circle() -> None:
    """Create and look at circles."""


@circle.command("create")
@click.option("--name", required=True)
@click.option("--venue", required=True)
@click.option("--weekday", required=True, help="mon..sun")
@click.option("--time", "start_time", required=True, help="HH:MM, local to --timezone")
@click.option("--timezone", "tz", required=True, help="IANA zone, e.g. America/Chicago")
@click.option("--starts", required=True, help="YYYY-MM-DD")
@click.option("--weeks", required=True, type=int)
@click.option("--language", required=True)
@click.option("--facilitator-phone", required=True, help="E.164, e.g. +18165550100")
@click.option("--capacity", type=int, default=12, show_default=True)
@click.option("--city")
@click.option("--postal-code")
@click.option("--course")
@click.option("--code", help="a join code to use instead of a random one")
@click.option("--json", "as_json", is_flag=True)
def circle_create(name, venue, weekday, start_time, tz, starts, weeks, language, facilitator_phone, capacity,
                  city, postal_code, course, code, as_json) -> None:
    """Creates a circle with its weekly meetings and prints its join code."""
    try:
        new = circle_ops.NewCircle(
            name=name, venue=venue, weekday=weekday_number(weekday), start_time=_parse_time(start_time),
            timezone=tz, starts=_parse_date(starts), weeks=weeks, language=language,
            facilitator_phone=facilitator_phone, capacity=capacity, city=city, postal_code=postal_code,
            course=course, code=code,
        )
        runtime = _runtime(_app())
        with runtime.uow() as session:
            created = circle_ops.create_circle(session, new, datetime.now(timezone.utc))
            info = {"id": created.id, "code": created.code, "phone_code": created.phone_code,
                    "meetings": [iso_utc(m.starts_at) for m in created.meetings]}
            session.commit()
    except (circle_ops.CircleError, ScheduleError) as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(info))
    else:
        click.echo(f"Created circle {info['code']} (phone code {info['phone_code']}), "
                   f"{len(info['meetings'])} meetings from {info['meetings'][0]}")


@circle.command("list")
def circle_list() -> None:
    """Lists every circle."""
    from bot.models import Circle

    runtime = _runtime(_app())
    with runtime.uow() as session:
        for c in session.scalars(select(Circle).order_by(Circle.code)):
            by_status = circle_ops.counts(session, c.id)
            click.echo(f"{c.code:8} {c.name:40} {by_status.get('active', 0):>3}/{c.capacity:<3} "
                       f"waitlist {by_status.get('waitlist', 0)}")


@circle.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
def circle_show(code, as_json) -> None:
    """Shows one circle: enrollment and meetings."""
    runtime = _runtime(_app())
    with runtime.uow() as session:
        found = circle_ops.find(session, code)
        if found is None:
            raise click.UsageError(f"no circle with code {code.upper()}")
        info = circle_ops.summary(session, found)
    if as_json:
        click.echo(json.dumps(info))
        return
    click.echo(f"{info['code']}  {info['name']} at {info['venue']} ({info['timezone']})")
    click.echo(f"enrolled {info['enrolled']}/{info['capacity']}, waitlisted {info['waitlisted']}, "
               f"phone code {info['phone_code']}")
    for m in info["meetings"]:
        click.echo(f"  #{m['seq']:<2} {m['starts_at']}  {m['status']}")


@main.command("export")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="a file instead of standard output")
def export_circle(code, fmt, output) -> None:
    """Exports a circle's learners (masked), RSVPs, check-ins and survey answers as CSV."""
    from bot.export import circle_csv

    runtime = _runtime(_app())
    with runtime.uow() as session:
        found = circle_ops.find(session, code)
        if found is None:
            raise click.UsageError(f"no circle with code {code.upper()}")
        text = circle_csv(session, found)
    if output:
        with open(output, "w", encoding="utf-8", newline="") as fp:
            fp.write(text)
    else:
        click.echo(text, nl=False)


@main.group()
def meeting() -> None:
    """Move or cancel a meeting; every active learner is told once, in their language."""


def _change_meeting(code: str, number: int, action) -> None:
    from bot import jobs, meetings

    runtime = _runtime(_app())
    with runtime.uow() as session:
        found = circle_ops.find(session, code)
        if found is None:
            raise click.UsageError(f"no circle with code {code.upper()}")
        try:
            planned, message = action(session, runtime, found, number)
        except meetings.MeetingError as exc:
            raise click.UsageError(str(exc)) from exc
        session.commit()
    jobs.enqueue_rows(planned)
    click.echo(message)


@meeting.command("move")
@click.argument("code")
@click.argument("number", type=int)
@click.option("--to", "to", required=True, help="ISO-8601; without an offset it is the circle's local time")
def meeting_move(code, number, to) -> None:
    """Moves meeting NUMBER of circle CODE to a new time."""
    from bot import meetings
    from bot.schedule import zone

    def action(session, runtime, found, n):
        try:
            new = datetime.fromisoformat(to.replace("Z", "+00:00"))
        except ValueError as exc:
            raise click.BadParameter(f"--to must be ISO-8601, got {to!r}") from exc
        if new.tzinfo is None:
            new = new.replace(tzinfo=zone(found.timezone))
        new = new.astimezone(timezone.utc)
        planned = meetings.move(session, runtime.settings, found, n, new, datetime.now(timezone.utc))
        return planned, f"meeting {n} of {found.code} moved to {iso_utc(new)}; {len(planned)} text(s) queued"

    _change_meeting(code, number, action)


@meeting.command("cancel")
@click.argument("code")
@click.argument("number", type=int)
def meeting_cancel(code, number) -> None:
    """Cancels meeting NUMBER of circle CODE."""
    from bot import meetings

    def action(session, runtime, found, n):
        planned = meetings.cancel(session, runtime.settings, found, n, datetime.now(timezone.utc))
        return planned, f"meeting {n} of {found.code} cancelled; {len(planned)} text(s) queued"

    _change_meeting(code, number, action)


@main.command()
@click.option("--bind", default=lambda: f"0.0.0.0:{os.environ.get('PORT', '5000')}", show_default="0.0.0.0:$PORT")
@click.option("--workers", default=2, show_default=True)
def web(bind, workers) -> None:
    """Runs the web app under gunicorn (production)."""
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", bind, "bot:create_app()"])


@main.command()
@click.option("--burst", is_flag=True, help="run every job that is due, then exit")
def worker(burst) -> None:
    """Runs the worker: RQ with its scheduler on Redis, or the embedded queue."""
    from bot import jobs

    runtime = _runtime(_app())
    ticked = jobs.tick(reschedule=not burst)
    if runtime.queue.backend == "embedded":
        if burst:
            ran = runtime.queue.run_due()
            click.echo(f"planned {ticked['planned']}, swept {ticked['swept']}, ran {ran} job(s)")
            return
        click.echo("embedded worker running (Ctrl-C to stop)")
        thread = runtime.queue.start_thread(interval=5.0, on_tick=lambda: jobs.tick(reschedule=False))
        thread.join()
        return
    from rq import Worker

    runtime.uow.engine.dispose()  # no pooled connection may be shared with RQ's forked work horses
    if not burst:
        _keep_ticking(runtime)
    rq_worker = Worker([runtime.queue.rq], connection=runtime.queue.redis)
    rq_worker.work(burst=burst, with_scheduler=True, logging_level="WARNING" if burst else "INFO")
    if burst:
        click.echo(f"planned {ticked['planned']}, swept {ticked['swept']}, burst done")


def _keep_ticking(runtime) -> None:
    """Re-arms the next tick every minute from a thread, so a flushed Redis (which loses the
    scheduled tick) never stops planning and sweeping; the tick's job id keeps it single."""
    import threading
    import time as clock

    from bot import jobs
    from bot.queue import QueueDown

    def loop() -> None:
        while True:
            nxt = datetime.now(timezone.utc).replace(second=0, microsecond=0) + jobs.TICK_EVERY
            try:
                runtime.queue.enqueue(jobs.tick, key=f"tick-{nxt:%Y%m%d%H%M}", at=nxt)
            except QueueDown:
                logging.getLogger(__name__).warning("queue down: the next tick is not scheduled yet")
            clock.sleep(jobs.TICK_EVERY.total_seconds())

    threading.Thread(target=loop, name="circlebot-tick", daemon=True).start()


@main.command()
@click.option("--port", default=5000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def demo(port, host) -> None:
    """Runs web app, worker and phone simulator on one port, with a demo circle (code DEMO)."""
    from bot import demo as demo_ops
    from bot.migrate import upgrade

    os.environ.setdefault("PUBLIC_BASE_URL", f"http://localhost:{port}")
    app = _app({"simulator": True})
    runtime = _runtime(app)
    upgrade(runtime.database_url)
    demo_ops.seed(runtime)
    demo_ops.start_worker(runtime)
    url = f"http://localhost:{port}/simulator"
    click.echo(f"circlebot demo: open {url}  (text JOIN {DEMO_CODE})")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
def segments() -> None:
    """Prints the SMS segment budget table for every template in every locale."""
    from bot import budget

    all_rows = budget.rows()
    click.echo(budget.table(all_rows))
    over = [r for r in all_rows if not r.ok]
    click.echo(f"\n{len(all_rows)} texts, {len(over)} over budget")
    if over:
        raise SystemExit(1)


def _parse_time(text: str) -> time:
    try:
        return datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError as exc:
        raise click.BadParameter(f"time must be HH:MM, got {text!r}") from exc


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise click.BadParameter(f"date must be YYYY-MM-DD, got {text!r}") from exc


if __name__ == "__main__":  # pragma: no cover
    main()
