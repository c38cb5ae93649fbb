"""The job queue: RQ on Redis when ``REDIS_URL`` is set, else an embedded in-process queue.

Both take the same calls. The outbox table is the source of truth, so a job lost with the
embedded queue (a restart) or with Redis (a flush) is found again by the sweeper (bot/jobs.py).
"""
from __future__ import annotations

import heapq
import itertools
import logging
import re
import threading
from datetime import datetime, timezone
from typing import Callable

log = logging.getLogger(__name__)

_JOB_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def job_id(key: str) -> str:
    """Maps a dedupe key such as ``reminder:12:34`` to an RQ-safe job id (RQ 2.8+)."""
    return _JOB_ID_UNSAFE.sub("_", key)


class QueueDown(RuntimeError):
    """The queue could not be reached."""


class EmbeddedQueue:
    """A small in-process queue with delayed jobs, for the embedded default and ``demo``."""

    backend = "embedded"

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, str, Callable, tuple]] = []
        self._ids: set[str] = set()
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._wake = threading.Event()

    def enqueue(self, func: Callable, *args, key: str, at: datetime | None = None) -> bool:
        """Queues ``func(*args)`` once per ``key``; returns False when that key is already queued."""
        ident = job_id(key)
        with self._lock:
            if ident in self._ids:
                return False
            self._ids.add(ident)
            heapq.heappush(self._heap, (at or datetime.now(timezone.utc), next(self._counter), ident, func, args))
        self._wake.set()
        return True

    def run_due(self, now: datetime | None = None) -> int:
        """Runs every job whose time has come; returns how many ran."""
        ran = 0
        while True:
            with self._lock:
                moment = now or datetime.now(timezone.utc)
                if not self._heap or self._heap[0][0] > moment:
                    return ran
                _, _, ident, func, args = heapq.heappop(self._heap)
                self._ids.discard(ident)
            try:
                func(*args)
            except Exception:  # a job's failure must not stop the others; the sweeper retries
                log.exception("embedded job %s failed", ident)
            ran += 1

    def pending(self) -> int:
        """How many jobs wait."""
        with self._lock:
            return len(self._heap)

    def ping(self) -> bool:
        """The embedded queue is always up."""
        return True

    def start_thread(self, interval: float = 1.0, on_tick: Callable[[], None] | None = None) -> threading.Thread:
        """Runs due jobs in a daemon thread (the demo's worker)."""

        def loop() -> None:
            while True:
                self._wake.wait(interval)
                self._wake.clear()
                try:
                    if on_tick:
                        on_tick()
                    self.run_due()
                except Exception:
                    log.exception("embedded worker tick failed")

        thread = threading.Thread(target=loop, name="circlebot-embedded-worker", daemon=True)
        thread.start()
        return thread


class RedisQueue:
    """RQ on Redis: ``enqueue_at`` for delayed jobs, run by ``circlebot worker`` (with scheduler)."""

    backend = "redis"

    def __init__(self, url: str, name: str) -> None:
        from redis import Redis
        from rq import Queue

        self.redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self.rq = Queue(name, connection=self.redis)

    def enqueue(self, func: Callable, *args, key: str, at: datetime | None = None) -> bool:
        """Queues ``func(*args)`` once per ``key``; returns False when that job id already exists."""
        from redis.exceptions import RedisError
        from rq import Retry
        from rq.job import Job, JobStatus

        ident = job_id(key)
        try:
            existing = Job.fetch(ident, connection=self.redis)
            if existing.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED):
                return False
            existing.delete()
        except RedisError as exc:
            raise QueueDown(str(exc)) from exc
        except Exception:  # NoSuchJobError: no job with that id yet
            pass
        retry = Retry(max=5, interval=[5, 30, 120, 600, 1800])
        try:
            if at and at > datetime.now(timezone.utc):
                self.rq.enqueue_at(at, func, *args, job_id=ident, retry=retry, result_ttl=600)
            else:
                self.rq.enqueue(func, *args, job_id=ident, retry=retry, result_ttl=600)
        except RedisError as exc:
            raise QueueDown(str(exc)) from exc
        return True

    def ping(self) -> bool:
        """True when Redis answers PING."""
        return bool(self.redis.ping())

    def pending(self) -> int:
        """How many jobs wait (queued, not scheduled)."""
        return len(self.rq)


def make_queue(redis_url: str | None, name: str) -> EmbeddedQueue | RedisQueue:
    """The queue the settings ask for."""
    return RedisQueue(redis_url, name) if redis_url else EmbeddedQueue()
