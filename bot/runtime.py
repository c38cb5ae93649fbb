"""The process's wiring: settings, unit of work, queue and channel, built once per app or worker."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from bot import logmask
from bot.outbound.channels import Registry, make_registry
from bot.outbound.pacing import Pacer, make_pacer
from bot.outbound.publish import publisher
from bot.outbound.queue import JobQueue, RedisQueue, make_queue
from bot.settings import Settings, instance_path_default, parse_duration
from bot.store.db import UnitOfWork, default_sqlite_url, make_engine

_current: "Runtime | None" = None
_lock = threading.Lock()


@dataclass
class Runtime:
    """Everything a request or a job needs besides its arguments."""

    settings: Settings
    uow: UnitOfWork
    queue: JobQueue
    channels: Registry
    database_url: str
    pacer: Pacer
    stuck_after: timedelta
    call_pacer: Pacer | None = None  # calls keep their own pace (CALL_RATE_PER_SECOND)
    clock: Callable[[], datetime] = field(default=functools.partial(datetime.now, timezone.utc))

    @classmethod
    def build(cls, settings: Settings, instance_path: str) -> "Runtime":
        """Builds the runtime the settings describe (SQLite and the embedded queue by default).

        Every process that serves or sends builds one (app factory, CLI, RQ worker), so this is
        where log masking is switched on for the process.
        """
        logmask.install()
        url = settings.database_url or default_sqlite_url(instance_path)
        uow = UnitOfWork(make_engine(url))
        queue = make_queue(settings.redis_url, settings.queue_name)
        stuck = parse_duration(str(settings.extra.get("OUTBOX_STUCK_AFTER") or "5m"))
        call_rate = float(settings.extra.get("CALL_RATE_PER_SECOND") or 1)
        rt = cls(
            settings,
            uow,
            queue,
            make_registry(settings, uow, queue.redis if isinstance(queue, RedisQueue) else None),
            url,
            make_pacer(queue, settings.send_rate_per_second),
            stuck,
            make_pacer(queue, call_rate),
        )
        uow.publish = publisher(rt)  # a committed unit of work queues what it collected
        return rt


def install(runtime: Runtime) -> Runtime:
    """Makes ``runtime`` the one jobs in this process use."""
    global _current
    with _lock:
        _current = runtime
    return runtime


def current() -> Runtime:
    """The runtime installed in this process; an RQ worker process builds one from the environment."""
    global _current
    with _lock:
        if _current is None:
            _current = Runtime.build(Settings.from_env(), instance_path_default())
        return _current
