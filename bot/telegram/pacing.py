"""Telegram's flood limits, across every worker: 1 message/s per chat and 30/s per bot.

A send takes two things at once: its chat's next free moment, and a free place on the bot's *grid*
at or after it. Grid places are ``1/bot_rate`` seconds apart and each holds one send, so no one-second
window holds more than ``bot_rate`` sends however many workers share the bot; a chat's next moment is
its grid place plus ``1/chat_rate``. Both are taken in one Lua script with Redis's own clock (workers'
clocks may differ), or under a lock in one process for the embedded queue. A chat that must wait does
not hold up the grid for other chats: it takes a later grid place and leaves the earlier ones free.
"""
from __future__ import annotations

import threading
import time

KEY_PREFIX = "circlebot:tgpace:"
CHAT_RATE = 1.0
BOT_RATE = 30.0
# Spacing margins: the jitter between taking a place and Telegram receiving the request must not
# let an extra message into a one-second window (bench/telegram_pacing.py measures it).
CHAT_MARGIN = 1.05
BOT_MARGIN = 1.15

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local chat_iv = tonumber(ARGV[1])
local bot_iv = tonumber(ARGV[2])
local earliest = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local idx = math.ceil(earliest / bot_iv)
local ttl = math.ceil((idx * bot_iv - now) / 1000) + 60000
while not redis.call('SET', KEYS[2] .. string.format('%.0f', idx), '1', 'NX', 'PX', ttl) do
  idx = idx + 1
end
local slot = idx * bot_iv
redis.call('SET', KEYS[1], string.format('%.0f', slot + chat_iv), 'PX', ttl + 1000)
return string.format('%.0f', slot - now)
"""


def intervals(chat_rate: float = CHAT_RATE, bot_rate: float = BOT_RATE) -> tuple[int, int]:
    """The spacing per chat and on the bot's grid, in microseconds."""
    return int(1_000_000 * CHAT_MARGIN / chat_rate), int(1_000_000 * BOT_MARGIN / bot_rate)


class RedisTelegramPacer:
    """Places shared by every process through Redis."""

    def __init__(self, redis, bot_id: str, chat_rate: float = CHAT_RATE, bot_rate: float = BOT_RATE):
        self.redis, self.bot_id = redis, bot_id
        self.chat_us, self.bot_us = intervals(chat_rate, bot_rate)
        self._script = redis.register_script(_TAKE)

    def wait(self, chat_id: str) -> float:
        """Blocks until a message to ``chat_id`` may go; returns the seconds waited."""
        keys = [f"{KEY_PREFIX}{self.bot_id}:chat:{chat_id}", f"{KEY_PREFIX}{self.bot_id}:grid:"]
        delay = int(self._script(keys=keys, args=[self.chat_us, self.bot_us])) / 1_000_000
        if delay > 0:
            time.sleep(delay)
        return max(delay, 0.0)


class LocalTelegramPacer:
    """The same places for one process (the embedded queue)."""

    def __init__(self, chat_rate: float = CHAT_RATE, bot_rate: float = BOT_RATE):
        chat_us, bot_us = intervals(chat_rate, bot_rate)
        self.chat_s, self.bot_s = chat_us / 1e6, bot_us / 1e6
        self._chat_next: dict[str, float] = {}
        self._taken: set[int] = set()
        self._lock = threading.Lock()

    def wait(self, chat_id: str) -> float:
        """Blocks until a message to ``chat_id`` may go; returns the seconds waited."""
        with self._lock:
            now = time.monotonic()
            earliest = max(now, self._chat_next.get(chat_id, 0.0))
            idx = int(-(-earliest // self.bot_s))
            while idx in self._taken:
                idx += 1
            self._taken.add(idx)
            slot = idx * self.bot_s
            self._chat_next[chat_id] = slot + self.chat_s
            if len(self._taken) > 10_000:
                floor = int(now // self.bot_s)
                self._taken = {i for i in self._taken if i >= floor}
        delay = slot - now
        if delay > 0:
            time.sleep(delay)
        return max(delay, 0.0)


def make_telegram_pacer(redis, bot_id: str):
    """Shared through Redis when there is one, else local to this process."""
    return RedisTelegramPacer(redis, bot_id) if redis is not None else LocalTelegramPacer()
