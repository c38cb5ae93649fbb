"""Telegram's flood limits, across every worker: 1 message/s per chat and 30/s per bot.

**Per chat** a send takes the chat's *turn*: nobody else sends to that chat while it is in flight,
and the next turn starts no sooner than ``1/chat_rate`` after the previous send *finished* (Telegram
answered). Since a message reaches Telegram before Telegram answers it and the next one leaves after
that, two messages to one chat arrive at least ``1/chat_rate`` apart however late a worker ran, which
slot arithmetic alone cannot promise on a loaded machine (bench/telegram_pacing.py showed it).

**Per bot** each send takes a free place on the bot's *grid*: places are ``1/bot_rate`` seconds apart
(plus a margin) and hold one send each, so no one-second window holds more than ``bot_rate`` sends.
A chat waiting for its turn holds no grid place, so it never holds up other chats.

Both live in Redis (Lua scripts on Redis's own clock; workers' clocks may differ), or in this process
for the embedded queue. A turn left by a killed worker lapses after ``TURN_TTL_MS``.
"""

from __future__ import annotations

import secrets
import threading
import time
from contextlib import contextmanager

KEY_SUFFIX = ":tgpace:"  # the keys are ``<CIRCLEBOT_QUEUE>:tgpace:<bot>:...``, in the queue's namespace
DEFAULT_NAMESPACE = "circlebot"
CHAT_RATE = 1.0
BOT_RATE = 30.0
CHAT_MARGIN = 1.02
BOT_MARGIN = 1.15
TURN_TTL_MS = 30_000
POLL_US = 50_000
MAX_TURN_WAIT = 120.0

# KEYS: busy, last; ARGV: chat interval us, token. Returns 0 (the turn is ours) or microseconds to wait.
_TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
if redis.call('EXISTS', KEYS[1]) == 1 then return tonumber(ARGV[3]) end
local ready = tonumber(redis.call('GET', KEYS[2]) or '0') + tonumber(ARGV[1])
if now < ready then return string.format('%.0f', ready - now) end
redis.call('SET', KEYS[1], ARGV[2], 'PX', tonumber(ARGV[4]))
return 0
"""
# KEYS: busy, last; ARGV: token. Records when the send finished and frees the turn.
_DONE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('SET', KEYS[2], string.format('%.0f', now), 'PX', 600000)
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""
# KEYS: grid prefix; ARGV: bot interval us. Takes the first free place from now; returns microseconds to wait.
_PLACE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local iv = tonumber(ARGV[1])
local idx = math.ceil(now / iv)
while not redis.call('SET', KEYS[1] .. string.format('%.0f', idx), '1', 'NX', 'PX', 60000) do idx = idx + 1 end
return string.format('%.0f', idx * iv - now)
"""


def intervals(chat_rate: float = CHAT_RATE, bot_rate: float = BOT_RATE) -> tuple[int, int]:
    """The spacing per chat and on the bot's grid, in microseconds."""
    return int(1_000_000 * CHAT_MARGIN / chat_rate), int(1_000_000 * BOT_MARGIN / bot_rate)


class RedisTelegramPacer:
    """Turns and grid places shared by every process through Redis."""

    def __init__(
        self,
        redis,
        bot_id: str,
        chat_rate: float = CHAT_RATE,
        bot_rate: float = BOT_RATE,
        namespace: str = DEFAULT_NAMESPACE,
    ):
        self.bot_id = bot_id
        self.prefix = f"{namespace}{KEY_SUFFIX}{bot_id}:"
        self.chat_us, self.bot_us = intervals(chat_rate, bot_rate)
        self._turn, self._done = redis.register_script(_TURN), redis.register_script(_DONE)
        self._place = redis.register_script(_PLACE)

    @contextmanager
    def turn(self, chat_id: str):
        """Waits for ``chat_id``'s turn and a grid place; the send happens inside; yields seconds waited."""
        keys = [f"{self.prefix}busy:{chat_id}", f"{self.prefix}last:{chat_id}"]
        token, started = secrets.token_hex(8), time.monotonic()
        while True:
            wait = int(self._turn(keys=keys, args=[self.chat_us, token, POLL_US, TURN_TTL_MS]))
            if wait == 0:
                break
            if time.monotonic() - started > MAX_TURN_WAIT:
                raise TimeoutError(f"no turn for a Telegram chat within {MAX_TURN_WAIT:.0f} s")
            time.sleep(min(wait, 1_000_000) / 1_000_000)
        try:
            place = int(self._place(keys=[f"{self.prefix}grid:"], args=[self.bot_us])) / 1_000_000
            if place > 0:
                time.sleep(place)
            yield time.monotonic() - started
        finally:
            self._done(keys=keys, args=[token])


class LocalTelegramPacer:
    """The same turns and places for one process (the embedded queue)."""

    def __init__(self, chat_rate: float = CHAT_RATE, bot_rate: float = BOT_RATE):
        chat_us, bot_us = intervals(chat_rate, bot_rate)
        self.chat_s, self.bot_s = chat_us / 1e6, bot_us / 1e6
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._grid_next = 0.0
        self._lock = threading.Lock()

    @contextmanager
    def turn(self, chat_id: str):
        """Waits for ``chat_id``'s turn and a grid place; the send happens inside; yields seconds waited."""
        started = time.monotonic()
        with self._lock:
            chat_lock = self._locks.setdefault(chat_id, threading.Lock())
        with chat_lock:
            ready = self._last.get(chat_id, -1e9) + self.chat_s
            if time.monotonic() < ready:
                time.sleep(ready - time.monotonic())
            with self._lock:
                slot = max(time.monotonic(), self._grid_next)
                self._grid_next = slot + self.bot_s
            if slot > time.monotonic():
                time.sleep(slot - time.monotonic())
            try:
                yield time.monotonic() - started
            finally:
                self._last[chat_id] = time.monotonic()


def make_telegram_pacer(redis, bot_id: str, namespace: str = DEFAULT_NAMESPACE):
    """Shared through Redis (under the queue's ``namespace``) when there is one, else local to this process."""
    return RedisTelegramPacer(redis, bot_id, namespace=namespace) if redis is not None else LocalTelegramPacer()
