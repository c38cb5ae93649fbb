"""Pacing outbound texts: at most ``SEND_RATE_PER_SECOND`` per sending number, across processes.

Each send takes the next free *slot* for its sending number; slots are ``1/rate`` seconds apart
(plus a 2% margin),
so no one-second window ever holds more than ``rate`` sends, however many workers share it. On
Redis the slot is taken by one Lua script using Redis's own clock (workers' clocks may differ);
the embedded queue uses the same arithmetic under a lock. Inline TwiML replies are not sent by
us, so a bulk fan-out never delays them.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Protocol

from bot.outbound.queue import JobQueue, RedisQueue

if TYPE_CHECKING:
    from redis import Redis

# The slot of a sending number is ``<namespace>:pace:<sender>`` (namespace: ``CIRCLEBOT_QUEUE``).
KEY_FORMAT = "{namespace}:pace:{sender}"
# Slots are 2% further apart than 1/rate: the jitter between taking a slot and the provider
# receiving the text would otherwise let rate+1 texts into some one-second windows (bench/pacing.py).
MARGIN = 1.02

# Returns how many microseconds the caller must wait before its slot.
_TAKE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nxt)
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.ceil(interval / 1000) + 60000)
return slot - now
"""


class Pacer(Protocol):
    """Waits for a sending number's next slot (``RedisPacer``, ``LocalPacer``)."""

    def wait(self, sender: str) -> float:
        """Blocks until ``sender`` may send again; returns the seconds waited."""
        ...


class RedisPacer:
    """Slots shared by every process through Redis."""

    def __init__(self, redis: Redis, rate: float, namespace: str = "circlebot"):
        self.redis, self.rate, self.namespace = redis, rate, namespace
        self._script = redis.register_script(_TAKE_SLOT)

    def wait(self, sender: str) -> float:
        """Blocks until ``sender`` may send again; returns the seconds waited."""
        if self.rate <= 0:
            return 0.0
        interval_us = int(round(1_000_000 * MARGIN / self.rate))
        delay = int(self._script(keys=[self.key(sender)], args=[interval_us])) / 1_000_000
        if delay > 0:
            time.sleep(delay)
        return delay

    def key(self, sender: str) -> str:
        """The Redis key of ``sender``'s next free slot."""
        return KEY_FORMAT.format(namespace=self.namespace, sender=sender)


class LocalPacer:
    """The same slots for one process (the embedded queue)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, sender: str) -> float:
        """Blocks until ``sender`` may send again; returns the seconds waited."""
        if self.rate <= 0:
            return 0.0
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(sender, 0.0))
            self._next[sender] = slot + MARGIN / self.rate
        delay = slot - now
        if delay > 0:
            time.sleep(delay)
        return delay


def make_pacer(queue: JobQueue, rate: float) -> Pacer:
    """A pacer that fits the queue: shared through Redis, or local to this process."""
    return RedisPacer(queue.redis, rate, queue.namespace) if isinstance(queue, RedisQueue) else LocalPacer(rate)
