"""The job queue: RQ on Redis when ``REDIS_URL`` is set, else an embedded in-process queue.

Both take the same calls. The outbox table is the source of truth, so a job lost with the
embedded queue (a restart) or with Redis (a flush) is found again by the sweeper (bot/outbound/jobs.py).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import pkgutil
import re
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, Callable, Literal, TypeAlias, TypeVar

# A job: the function, or its import path (``bot.outbound.jobs.send_outbox``) as RQ stores it.
JobRef = TypeVar("JobRef", str, Callable[..., Any])
# What ``enqueue_many`` takes for each job: its arguments, its key and when it is due (None: now).
Item: TypeAlias = "tuple[tuple[Any, ...], str, datetime | None]"

log = logging.getLogger(__name__)

_JOB_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
# A namespace (``CIRCLEBOT_QUEUE``) is letters, digits and ``-``: with ``_`` after it in every job id,
# no namespace's keys can match another's patterns (``circlebot_*`` never matches ``circlebot-test_*``).
NAMESPACE = re.compile(r"^[A-Za-z0-9-]{1,48}$")
# Jobs per Redis round trip: big enough to be fast, small enough not to stall other clients.
PIPELINE_CHUNK = 1000


def job_id(key: str, namespace: str | None = None) -> str:
    """Maps a dedupe key such as ``reminder:12:34`` to an RQ-safe job id (RQ 2.8+), prefixed with the
    namespace (``circlebot_reminder_12_34``), so two deployments or test runs sharing one Redis database
    never share a job id, even when their outbox ids are the same."""
    ident = _JOB_ID_UNSAFE.sub("_", key)
    return f"{namespace}_{ident}" if namespace else ident


def namespace_patterns(namespace: str) -> tuple[str, ...]:
    """The Redis key patterns that hold everything of ``namespace``: its RQ queue and registries
    (``rq:<kind>:<ns>``), its jobs and their results (``rq:<kind>:<ns>_<id>...``), and its own keys
    such as the pacing slots (``<ns>:...``)."""
    if not NAMESPACE.match(namespace):
        raise ValueError(f"not a queue namespace: {namespace!r}")
    return (f"rq:*:{namespace}", f"rq:*:{namespace}_*", f"{namespace}:*")


def clear_namespace(redis, namespace: str) -> int:
    """Deletes every key of ``namespace`` from ``redis`` (tests and benches use it instead of FLUSHDB,
    so runs that share a database leave each other alone). Returns how many keys went."""
    deleted = 0
    for pattern in namespace_patterns(namespace):
        batch = []
        for key in redis.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                deleted += redis.delete(*batch)
                batch = []
        if batch:
            deleted += redis.delete(*batch)
    redis.srem("rq:queues", f"rq:queue:{namespace}")
    return deleted


class QueueDown(RuntimeError):
    """The queue could not be reached."""


class EmbeddedQueue:
    """A small in-process queue with delayed jobs, for the embedded default and ``demo``."""

    backend: Literal["embedded"] = "embedded"

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, str, Callable[..., Any], tuple[Any, ...]]] = []
        self._ids: set[str] = set()
        self._lock = threading.Lock()
        self._counter = itertools.count()
        self._wake = threading.Event()
        self._running: set[str] = set()

    def enqueue(self, func: JobRef, *args: Any, key: str, at: datetime | None = None) -> bool:
        """Queues ``func(*args)`` once per ``key``; returns False when that key is already queued.

        ``func`` may be a job's import path (``bot.outbound.jobs.send_outbox``), as RQ takes it.
        """
        run: Callable[..., Any] = pkgutil.resolve_name(func) if isinstance(func, str) else func
        ident = job_id(key)
        with self._lock:
            if ident in self._ids:
                return False
            self._ids.add(ident)
            heapq.heappush(self._heap, (at or datetime.now(timezone.utc), next(self._counter), ident, run, args))
        self._wake.set()
        return True

    def enqueue_many(
        self, func: JobRef, items: Iterable[Item], retry: bool = True, timeout: int | None = None, fresh: bool = False
    ) -> int:
        """Queues ``func(*args)`` for each ``(args, key, at)``; returns how many were new. (``retry``,
        ``timeout`` and ``fresh`` are RQ's; a failed embedded job is found again by the sweeper, and a
        key is looked up in memory anyway.)"""
        return sum(1 for args, key, at in items if self.enqueue(func, *args, key=key, at=at))

    def live(self, keys: Iterable[str], started_after: datetime) -> set[str]:
        """The ``keys`` whose job waits or runs now (``started_after`` is RQ's; a running embedded
        job is always live, it runs in this process)."""
        with self._lock:
            return {key for key in keys if job_id(key) in self._ids or job_id(key) in self._running}

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
                self._running.add(ident)
            try:
                func(*args)
            except Exception:  # a job's failure must not stop the others; the sweeper retries
                log.exception("embedded job %s failed", ident)
            finally:
                with self._lock:
                    self._running.discard(ident)
            ran += 1

    def pending(self) -> int:
        """How many jobs wait."""
        with self._lock:
            return len(self._heap)

    def clear(self) -> int:
        """Forgets every waiting job, as a restarted process would; returns how many went."""
        with self._lock:
            gone = len(self._heap)
            self._heap.clear()
            self._ids.clear()
        return gone

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

    backend: Literal["redis"] = "redis"

    def __init__(self, url: str, name: str) -> None:
        from redis import Redis
        from rq import Queue, Retry

        if not NAMESPACE.match(name):
            raise ValueError(f"CIRCLEBOT_QUEUE must be 1-48 letters, digits or '-', got {name!r}")
        self.namespace = name
        self.redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self.rq = Queue(name, connection=self.redis)
        self._retry = Retry(max=5, interval=[5, 30, 120, 600, 1800])

    def enqueue(self, func: JobRef, *args: Any, key: str, at: datetime | None = None) -> bool:
        """Queues ``func(*args)`` once per ``key`` (atomically); False when that job is already waiting."""
        return self.enqueue_many(func, [(args, key, at)]) == 1

    def enqueue_many(
        self, func: JobRef, items: Sequence[Item], retry: bool = True, timeout: int | None = None, fresh: bool = False
    ) -> int:
        """Queues ``func(*args)`` for each ``(args, key, at)``, ``PIPELINE_CHUNK`` jobs per round trip.

        A key whose job is still queued, scheduled or running is skipped; a finished or failed job
        with that key is replaced. ``fresh`` says no job can hold these keys yet (rows just inserted):
        Redis is not asked, and every item is queued. Jobs due later go to RQ's scheduled registry (``enqueue_at``).
        The check and the enqueue are not one atomic step across processes; a rare duplicate job
        is harmless because ``send_outbox`` claims its row atomically. ``retry`` gives the jobs RQ's
        ``Retry``; ``timeout`` (seconds) replaces RQ's default job timeout.
        """
        from redis.exceptions import RedisError
        from rq.job import Job, JobStatus

        waiting = {
            s.value.encode() for s in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED, JobStatus.DEFERRED)
        }
        now = datetime.now(timezone.utc)
        count = 0
        try:
            for start in range(0, len(items), PIPELINE_CHUNK):
                chunk = items[start : start + PIPELINE_CHUNK]
                ids = [job_id(key, self.namespace) for _, key, _ in chunk]
                statuses: list = [None] * len(ids)
                if not fresh:
                    with self.redis.pipeline(transaction=False) as pipe:
                        for ident in ids:
                            pipe.hget(Job.key_for(ident), "status")
                        statuses = pipe.execute()
                with self.redis.pipeline(transaction=False) as pipe:
                    for (args, _key, at), ident, status in zip(chunk, ids, statuses, strict=True):
                        if status in waiting:
                            continue
                        job = self.rq.create_job(
                            func,
                            args=args,
                            job_id=ident,
                            retry=self._retry if retry else None,
                            timeout=timeout,
                            result_ttl=600,
                            failure_ttl=86400,
                        )
                        if at and at > now:
                            self.rq.schedule_job(job, at, pipeline=pipe)
                        else:
                            self.rq.enqueue_job(job, pipeline=pipe)
                        count += 1
                    pipe.execute()
            return count
        except RedisError as exc:
            raise QueueDown(str(exc)) from exc

    def live(self, keys: Iterable[str], started_after: datetime) -> set[str]:
        """The ``keys`` whose job is queued, scheduled or deferred, or started after ``started_after``.

        A job started before that counts as lost: its worker was killed mid-job (RQ only notices at the
        job's timeout). Its rows are queued again; the atomic claim keeps a slow job's rows from going
        out twice. Raises QueueDown when Redis cannot be asked.
        """
        from redis.exceptions import RedisError
        from rq.job import Job, JobStatus
        from rq.utils import utcparse

        keys = list(keys)
        waiting = {s.value.encode() for s in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)}
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.hmget(Job.key_for(job_id(key, self.namespace)), "status", "started_at")
                found = pipe.execute()
        except RedisError as exc:
            raise QueueDown(str(exc)) from exc
        out: set[str] = set()
        for key, (status, started) in zip(keys, found, strict=True):
            if status in waiting:
                out.add(key)
            elif status == JobStatus.STARTED.value.encode() and started:
                if utcparse(started.decode()).replace(tzinfo=timezone.utc) > started_after:
                    out.add(key)
        return out

    def ping(self) -> bool:
        """True when Redis answers PING."""
        return bool(self.redis.ping())

    def pending(self) -> int:
        """How many jobs wait (queued, not scheduled)."""
        return len(self.rq)

    def clear(self) -> int:
        """Deletes every key of this queue's namespace (never another's); returns how many."""
        return clear_namespace(self.redis, self.namespace)


JobQueue: TypeAlias = "EmbeddedQueue | RedisQueue"  # ``queue.backend`` tells them apart


def make_queue(redis_url: str | None, name: str) -> JobQueue:
    """The queue the settings ask for."""
    return RedisQueue(redis_url, name) if redis_url else EmbeddedQueue()
