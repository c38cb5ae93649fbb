"""bench/webhook.py --profile: signed texts in-process under cProfile, and where the time goes by library."""

from __future__ import annotations

import time

from bench._common import BENCH_NAMESPACE, load
from bench.webhook_load import traffic


def profile(database_url: str, redis_url: str, learners: int, n: int) -> None:
    """In-process: ``n`` signed texts through the Flask test client under cProfile, and SQL per request."""
    import cProfile
    import io
    import pstats

    from bench._common import StatementCounter
    from bot import create_app
    from tests.helpers import AUTH_TOKEN, BASE_URL

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": BASE_URL,
            "QUIET_HOURS": "",
            "CIRCLEBOT_QUEUE": BENCH_NAMESPACE,
        }
    )
    client = app.test_client()
    requests = traffic(learners, n, seed=11)
    counter = StatementCounter(app.extensions["circlebot"].uow.engine)
    prof = cProfile.Profile()
    started = time.perf_counter()
    with counter.watching():
        prof.enable()
        for form, signature in requests:
            client.post(
                "/twilio/sms",
                data=form,
                headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
            )
        prof.disable()
    elapsed = time.perf_counter() - started
    print(f"\nprofile: {n} signed texts in-process (Flask test client, cProfile on), {load()}")
    print(
        f"  {elapsed / n * 1000:.2f} ms per request under the profiler; SQL {counter.count / n:.2f} statements and "
        f"{counter.seconds / n * 1000:.2f} ms cursor time per request {counter.by_verb}"
    )
    stats = pstats.Stats(prof)
    print(
        "  own time by component, ms per request (under the profiler): "
        + ", ".join(f"{name} {seconds / n * 1000:.2f}" for name, seconds in components(stats))
    )
    buf = io.StringIO()
    stats.stream = buf
    stats.sort_stats("cumulative").print_stats(28)
    lines = [line for line in buf.getvalue().splitlines() if line.strip()]
    print("\n".join("  " + line for line in lines[-32:]))


COMPONENTS = (  # (name, what a profiled function's file path contains), first match wins
    ("psycopg (incl. waiting on the database)", "/psycopg/"),
    ("sqlalchemy", "/sqlalchemy/"),
    ("redis+rq", "/redis/"),
    ("redis+rq", "/rq/"),
    ("twilio", "/twilio/"),
    ("babel", "/babel/"),
    ("flask+werkzeug", "/werkzeug/"),
    ("flask+werkzeug", "/flask"),
    ("phonenumbers", "/phonenumbers/"),
    ("circlebot", "/bot/"),
    ("circlebot", "/webhooks/"),
    ("circlebot", "/flows/"),
)


def components(stats) -> list[tuple[str, float]]:
    """Own (not cumulative) profiled time grouped by library, largest first; built-ins go to their caller's
    library (a socket wait called by psycopg counts as psycopg's)."""
    totals: dict[str, float] = {}
    for (path, _line, _name), (_cc, _nc, own, _cum, callers) in stats.stats.items():
        if path == "~" and callers:  # a built-in: charge it to the library of its biggest caller
            path = max(callers.items(), key=lambda item: item[1][2])[0][0]
        name = next((label for label, part in COMPONENTS if part in path), "other (stdlib, json, …)")
        totals[name] = totals.get(name, 0.0) + own
    return sorted(totals.items(), key=lambda item: -item[1])
