"""``circlebot db upgrade | web | worker | demo | segments``: the long-running and operator commands."""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime, timezone

import click

from bot.cli import demo as demo_data
from bot.cli.base import make_app, runtime

# The longest wait between two tries to reach Redis again, in seconds.
REDIS_RETRY_MAX = 4.0


class RedisLost(RuntimeError):
    """The worker lost its connection to Redis."""


class PromptUnsubscribe:
    """Mixed into an RQ worker class, so that it ends at once instead of up to a minute later.

    RQ's teardown unsubscribes its command channel and then stops the pub/sub thread it runs with
    ``sleep_time=60``. Since redis-py 8.2, ``PubSubWorkerThread.stop()`` waits for that thread to end;
    and if the thread read the unsubscribe reply before ``stop()`` cleared its running flag, it waits
    up to 60 s for a subscription that never comes. Clearing the flag first lets the reply end it.
    """

    def unsubscribe(self) -> None:
        thread = getattr(self, "pubsub_thread", None)
        if thread is not None and hasattr(thread, "_running"):
            thread._running.clear()  # the flag redis-py's stop() clears (an Event since redis-py 3.3)
        super().unsubscribe()  # type: ignore[misc]


@click.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Applies the Alembic migrations."""
    from bot.store.migrate import upgrade

    upgrade(runtime().database_url)
    click.echo("database is up to date")


@click.command()
@click.option("--bind", default=lambda: f"0.0.0.0:{os.environ.get('PORT', '5000')}", show_default="0.0.0.0:$PORT")
@click.option("--workers", default=2, show_default=True)
def web(bind, workers) -> None:
    """Runs the web app under gunicorn (production); needs SECRET_KEY."""
    from bot.app import require_secret_key
    from bot.settings import Settings, SettingsError

    try:
        require_secret_key(Settings.from_env())
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", bind, "bot:create_app()"])


@click.command()
@click.option("--burst", is_flag=True, help="run every job that is due, then exit")
def worker(burst) -> None:
    """Runs the worker: RQ with its scheduler on Redis, or the embedded queue."""
    from bot.outbound import jobs

    rt = runtime()
    ticked = jobs.tick(reschedule=not burst)
    if rt.queue.backend == "embedded":
        if burst:
            ran = rt.queue.run_due()
            click.echo(f"planned {ticked['planned']}, swept {ticked['swept']}, ran {ran} job(s)")
            return
        click.echo("embedded worker running (Ctrl-C to stop)")
        thread = rt.queue.start_thread(interval=5.0, on_tick=lambda: jobs.tick(reschedule=False))
        thread.join()
        return
    if burst:
        _work(rt, burst=True)
        click.echo(f"planned {ticked['planned']}, swept {ticked['swept']}, burst done")
        return
    _keep_ticking(rt)
    while not _work(rt, burst=False):
        _wait_for_redis(rt)
        try:  # what was planned while Redis was away goes out now, not at the next tick
            ticked = jobs.tick()
            logging.getLogger(__name__).warning(
                "Redis is back: working again (planned %s, swept %s)", ticked["planned"], ticked["swept"]
            )
        except Exception:  # the database, say: the next tick tries again
            logging.getLogger(__name__).exception("the catch-up tick after Redis came back failed")


def _work(rt, burst: bool) -> bool:
    """Runs RQ's worker with its scheduler; True when it ended as asked (a signal, or a burst done).

    Jobs run in this process (RQ's ``SimpleWorker``), one after another, on its pooled database and
    Redis connections. RQ's default ``Worker`` forks a work horse per job, and each horse opened its own
    PostgreSQL connection (a backend started and ended per text): at 200 texts/s with a tenth relayed,
    it sent about 14 texts/s, slower than they came, and its CPU slowed the web app (``bench/soak.py``,
    issue 31). A job's time-out is still enforced (RQ's ``SIGALRM`` death penalty, in this main thread);
    what a fork no longer isolates is a job that crashes the interpreter itself, which ends the worker
    until it is started again (the sweeper then queues its rows again).

    RQ quits when it loses Redis (or fails to start without it): then this returns False, so that
    the worker waits for Redis and works again instead of ending while texts pile up in the outbox.
    """
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown
    from redis.exceptions import RedisError
    from rq import Queue, SimpleWorker

    class QuitWithoutRedisQueue(Queue):
        """RQ's queue, except that losing Redis while waiting for a job ends the worker (see below).

        RQ's dequeue loop reconnects by itself after a short outage; nothing would then sweep what
        was planned meanwhile until the next tick, up to a minute later.
        """

        @classmethod
        def dequeue_any(cls, *args, **kwargs):
            try:
                return super().dequeue_any(*args, **kwargs)
            except RedisDown as exc:
                raise RedisLost(str(exc)) from exc

    class QuitWithoutRedis(PromptUnsubscribe, SimpleWorker):
        """RQ's worker, except that it quits when Redis goes away instead of waiting for it itself.

        RQ retries the connection inside its dequeue loop (up to a minute apart), but its scheduler
        process has died by then and nothing sweeps the outbox until the next tick, which that
        scheduler was to run. Quitting lets ``worker`` start afresh, scheduler and catch-up tick too.
        """

        def heartbeat(self, *args, **kwargs):
            try:
                return super().heartbeat(*args, **kwargs)
            except RedisDown as exc:  # RQ's dequeue loop retries a ConnectionError; this it does not
                raise RedisLost(str(exc)) from exc

    rt.uow.engine.dispose()  # no pooled connection may be shared with RQ's forked scheduler process
    rq_worker = None
    # RQ's own connection: RQ waits for jobs with BLPOP for minutes and gives the connections it makes
    # a socket timeout to match. On the queue's pool (5 s for web requests) a connection made before
    # (the first tick's) keeps 5 s, and RQ quit "Redis connection timeout" 5 s after going idle.
    connection = Redis.from_url(rt.settings.redis_url, socket_connect_timeout=2)
    try:
        queue = QuitWithoutRedisQueue(rt.queue.rq.name, connection=connection)
        rq_worker = QuitWithoutRedis([queue], connection=connection, queue_class=QuitWithoutRedisQueue)
        rq_worker.work(burst=burst, with_scheduler=True, logging_level="WARNING" if burst else "INFO")
    except (RedisError, RedisLost) as exc:
        if burst:
            raise click.ClickException(f"Redis is down: {exc}") from exc
        logging.getLogger(__name__).warning("lost Redis: %s", exc)
    finally:
        connection.close()
    # RQ notes the time of a SIGTERM or Ctrl-C (its warm shut-down) there, and nowhere public.
    return burst or (rq_worker is not None and rq_worker._shutdown_requested_date is not None)


def _wait_for_redis(rt) -> None:
    """Waits until Redis answers again (SIGTERM or Ctrl-C meanwhile ends the worker)."""
    import signal
    import time as clock

    def leave(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, leave)  # RQ's handlers would talk to Redis
    signal.signal(signal.SIGINT, leave)
    pause = 0.5
    while True:
        clock.sleep(pause)  # first, so that a worker that keeps quitting never spins
        try:
            if rt.queue.ping():
                return
        except Exception:  # any Redis error: still away
            pass
        pause = min(pause * 2, REDIS_RETRY_MAX)


def _keep_ticking(rt) -> None:
    """Re-arms the next tick every minute from a thread, so a flushed Redis (which loses the
    scheduled tick) never stops planning and sweeping; the tick's job id keeps it single."""
    import threading
    import time as clock

    from bot.outbound import jobs
    from bot.outbound.queue import QueueDown

    def loop() -> None:
        while True:
            nxt = datetime.now(timezone.utc).replace(second=0, microsecond=0) + jobs.TICK_EVERY
            try:
                rt.queue.enqueue(jobs.tick, key=f"tick-{nxt:%Y%m%d%H%M}", at=nxt)
            except QueueDown:
                logging.getLogger(__name__).warning("queue down: the next tick is not scheduled yet")
            clock.sleep(jobs.TICK_EVERY.total_seconds())

    threading.Thread(target=loop, name="circlebot-tick", daemon=True).start()


@click.command()
@click.option("--port", default=5000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--reset", is_flag=True, help="start again from an empty demo database (embedded default only)")
def demo(port, host, reset) -> None:
    """Runs web app, worker and phone simulator on one port, with a demo circle (code DEMO)."""
    from bot.demo import seed as demo_ops
    from bot.store.migrate import upgrade

    os.environ.setdefault("PUBLIC_BASE_URL", f"http://localhost:{port}")
    app = make_app({"simulator": True})
    rt = app.extensions["circlebot"]
    upgrade(rt.database_url)
    if reset:
        try:
            demo_data.reset(rt)
        except demo_data.ResetRefused as exc:
            raise click.UsageError(str(exc)) from exc
        click.echo("circlebot demo: reset (the demo database was emptied and DEMO seeded again)")
    demo_data.seed(rt)
    demo_ops.start_worker(rt)
    url = f"http://localhost:{port}/simulator"
    click.echo(f"circlebot demo: open {url}  (text JOIN {demo_data.DEMO_CODE})")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@click.command()
def segments() -> None:
    """Prints the SMS segment budget table for every template in every locale, then what a whole
    circle costs one learner in each locale (at most 30 segments)."""
    from bot.reports import budget, circle_cost

    all_rows = budget.rows()
    click.echo(budget.table(all_rows))
    over = [r for r in all_rows if not r.ok]
    click.echo(f"\n{len(all_rows)} texts, {len(over)} over budget")
    costs = circle_cost.costs()
    click.echo("\n" + circle_cost.table(costs))
    over_circle = [c.locale for c in costs if not c.ok]
    click.echo(f"\n{len(costs)} locales, {len(over_circle)} over {circle_cost.MAX_PER_CIRCLE} segments a circle")
    if over or over_circle:
        raise SystemExit(1)


COMMANDS = (db, web, worker, demo, segments)
