"""A local stand-in for the Telegram Bot API (DESIGN.md §7), so python-telegram-bot's real ``Bot`` runs in tests.

It serves ``POST /bot<token>/<method>`` on 127.0.0.1 (give ``TELEGRAM_API_BASE`` = ``self.url``, which
is PTB's ``base_url``) for ``getMe``, ``sendMessage``, ``editMessageReplyMarkup``, ``answerCallbackQuery``,
``setWebhook``, ``getWebhookInfo``, ``setMyCommands`` and ``deleteWebhook``. Every call is recorded as
``{"method", "params", "at"}`` (params decoded from JSON or a form, as PTB sends them).

Failures are injected per chat with ``fail_chat`` or for the next calls with ``fail_next``:
``blocked()`` (403 "Forbidden: bot was blocked by the user"), ``flood(seconds)`` (429 with
``parameters.retry_after``) and ``chat_not_found()`` (400).

As its own process (benches; one JSON line per accepted ``sendMessage``, flushed per line)::

    python -m tests.standin.telegram_api --port 8098 --record /tmp/sent.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import signal
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

HOST = "127.0.0.1"
POLL = 0.02  # seconds between shutdown checks of the serving thread (socketserver: 0.5, half a second per test)
TOKEN = "123456789:AAtest-token-for-the-stand-in"
PATH = re.compile(r"^/bot([^/]+)/([A-Za-z]+)$")
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Circle Bot", "username": "circle_test_bot"}


def blocked() -> tuple[int, dict]:
    """What Telegram answers when the user blocked the bot."""
    return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}


def flood(seconds: int) -> tuple[int, dict]:
    """A flood-control 429 with ``retry_after``."""
    return 429, {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {seconds}",
        "parameters": {"retry_after": seconds},
    }


def chat_not_found() -> tuple[int, dict]:
    """A 400 for a chat the bot cannot write to."""
    return 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}


class TelegramStandIn:
    """The Bot API on ``self.url``; thread-safe; use as ``with TelegramStandIn() as api:``."""

    def __init__(self, port: int = 0, token: str = TOKEN, record: str | None = None):
        self.token = token
        self.calls: list[dict] = []
        self.webhook: dict = {}
        self._fail_chat: dict[str, deque] = {}
        self._fail_next: deque = deque()
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._record = open(record, "a", encoding="utf-8") if record else None
        self._server = ThreadingHTTPServer((HOST, port), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The ``TELEGRAM_API_BASE`` (PTB's ``base_url``): ``http://127.0.0.1:PORT/bot``."""
        return f"http://{HOST}:{self._server.server_address[1]}/bot"

    def start(self) -> "TelegramStandIn":
        """Serves in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": POLL}, name="telegram-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving."""
        self._server.shutdown()
        self._server.server_close()
        if self._record:
            self._record.close()

    def __enter__(self) -> "TelegramStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def fail_chat(self, chat_id, *answers: tuple[int, dict]) -> None:
        """The next calls about ``chat_id`` get these answers, in order."""
        with self._lock:
            self._fail_chat.setdefault(str(chat_id), deque()).extend(answers)

    def fail_next(self, *answers: tuple[int, dict]) -> None:
        """The next calls (any chat) get these answers, in order."""
        with self._lock:
            self._fail_next.extend(answers)

    def of(self, method: str) -> list[dict]:
        """The params of every accepted call to ``method``, in order."""
        with self._lock:
            return [c["params"] for c in self.calls if c["method"] == method and c["status"] == 200]

    def handle(self, token: str, method: str, params: dict) -> tuple[int, dict]:
        """Answers one call the way the Bot API does."""
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        with self._lock:
            queue = self._fail_chat.get(str(params.get("chat_id")))
            failure = (queue.popleft() if queue else None) or (self._fail_next.popleft() if self._fail_next else None)
            status, body = failure or self._answer(method, params)
            self.calls.append({"method": method, "params": params, "status": status, "at": time.time()})
            if self._record and method == "sendMessage" and status == 200:
                self._record.write(json.dumps({"chat_id": params.get("chat_id"), "at": time.time()}) + "\n")
                self._record.flush()
        return status, body

    def _answer(self, method: str, params: dict) -> tuple[int, dict]:
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "sendMessage":
            chat = {"id": int(params["chat_id"]), "type": "private", "first_name": "Learner"}
            message = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            return 200, {"ok": True, "result": message}
        if method in ("answerCallbackQuery", "setMyCommands", "deleteWebhook", "editMessageReplyMarkup"):
            return 200, {"ok": True, "result": True}
        if method == "setWebhook":
            self.webhook = dict(params)
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        if method == "getWebhookInfo":
            info = {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
                "max_connections": 40,
                "allowed_updates": self.webhook.get("allowed_updates", []),
            }
            return 200, {"ok": True, "result": info}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (the http.server name)
        match = PATH.match(self.path.split("?", 1)[0])
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if match is None:
            return self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        self._send(*self.server.standin.handle(match.group(1), match.group(2), _params(self.headers, raw)))

    do_GET = do_POST

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


def _params(headers, raw: bytes) -> dict:
    """PTB posts JSON or a form whose values are JSON-encoded where they are objects."""
    if not raw:
        return {}
    if "json" in (headers.get("Content-Type") or ""):
        return json.loads(raw)
    out = {}
    for name, values in parse_qs(raw.decode(), keep_blank_values=True).items():
        value = values[-1]
        try:
            out[name] = json.loads(value) if value[:1] in "[{" or value.lstrip("-").isdigit() else value
        except ValueError:
            out[name] = value
    return out


def main() -> None:
    """Runs the stand-in until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record")
    args = parser.parse_args()
    api = TelegramStandIn(args.port, record=args.record).start()
    print(api.url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    api.stop()


if __name__ == "__main__":
    main()
