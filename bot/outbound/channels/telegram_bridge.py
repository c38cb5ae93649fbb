"""One python-telegram-bot ``Bot`` per process, driven by one event-loop thread.

PTB v22 is asyncio; the web app (gunicorn sync workers) and RQ jobs are synchronous. Rather than
``asyncio.run`` per call (a new loop and a new HTTP connection pool for every message), each process
starts one daemon thread that runs an event loop forever and owns one ``Bot`` with one pooled
``HTTPXRequest``. Synchronous callers hand it coroutines with ``asyncio.run_coroutine_threadsafe``
and wait for the result with a time-out. Any number of threads may call at once.

``circlebot worker`` runs its jobs in its own process (RQ's ``SimpleWorker``, issue 31), so one bridge
serves every job. A forked child (RQ's scheduler process, or a default RQ ``Worker``'s work horse) has
no loop thread (threads do not survive ``fork``), so ``os.register_at_fork`` drops the inherited
bridge in the child and the child builds its own on first use.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any, Callable

POOL_SIZE = 16
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
# A little more than PTB's own time-outs, so PTB's TimedOut is what the caller sees.
CALL_TIMEOUT = CONNECT_TIMEOUT + READ_TIMEOUT + 5.0

_bridges: dict[tuple[str, str | None], "Bridge"] = {}
_lock = threading.Lock()


class Bridge:
    """Runs ``Bot`` coroutines on this process's Telegram loop thread."""

    def __init__(self, token: str, base_url: str | None = None):
        self._token, self._base_url = token, base_url
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="telegram-bridge", daemon=True)
        self._thread.start()
        self._ready.wait()
        self.bot = self.run(lambda: self._make_bot())

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        self._loop.run_forever()

    async def _make_bot(self):
        from telegram import Bot
        from telegram.request import HTTPXRequest

        request = HTTPXRequest(
            connection_pool_size=POOL_SIZE,
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            write_timeout=READ_TIMEOUT,
            pool_timeout=READ_TIMEOUT,
            httpx_kwargs=_httpx_kwargs(self._base_url),
        )
        kwargs = {"base_url": self._base_url} if self._base_url else {}
        bot = Bot(self._token, request=request, **kwargs)
        await request.initialize()
        return bot

    def run(self, make: Callable[[], Any], timeout: float = CALL_TIMEOUT):
        """Runs the coroutine ``make()`` on the loop thread and returns its result (or raises its error)."""

        async def call():
            return await make()

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout)

    def call(self, method: str, **kwargs):
        """Calls ``Bot.<method>(**kwargs)``, e.g. ``call("send_message", chat_id=1, text="hi")``."""
        return self.run(lambda: getattr(self.bot, method)(**kwargs))


def _httpx_kwargs(base_url: str | None) -> dict:
    """A local stand-in is reached directly, never through a proxy from the environment."""
    if base_url and ("//127.0.0.1" in base_url or "//localhost" in base_url):
        return {"trust_env": False}
    return {}


def bridge(token: str, base_url: str | None = None) -> Bridge:
    """This process's bridge for ``token`` (built on first use, again in a forked child)."""
    key = (token, base_url)
    with _lock:
        found = _bridges.get(key)
        if found is None:
            found = _bridges[key] = Bridge(token, base_url)
        return found


def _forget_after_fork() -> None:
    global _lock
    _bridges.clear()
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
