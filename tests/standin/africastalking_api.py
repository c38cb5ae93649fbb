"""A local stand-in for Africa's Talking's messaging API (DESIGN.md §7): ``POST /version1/messaging``.

It answers as Africa's Talking documents: ``{"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES
0.8000", "Recipients": [{"statusCode": 101, "number", "status": "Success", "cost", "messageId"}]}}``,
201 Created. It checks the ``apiKey`` header and the ``username`` (401 otherwise), records every text in
``self.messages`` (``to``, ``from``, ``message``, ``username``, ``message_id``) and can be told to answer
with an HTTP error (``fail_with``) or a recipient's ``statusCode`` (``refuse_with``: 406 blacklisted…).
Give ``AFRICASTALKING_API_BASE`` = ``self.url``.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

HOST = "127.0.0.1"
POLL = 0.02
STATUS_WORDS = {
    101: "Success",
    403: "InvalidPhoneNumber",
    405: "InsufficientBalance",
    406: "UserInBlacklist",
    409: "DoNotDisturbRejection",
    500: "InternalServerError",
}


class AfricasTalkingStandIn:
    """Africa's Talking's SMS API on ``self.url``; use as ``with AfricasTalkingStandIn(username, api_key) as at:``."""

    def __init__(self, username: str = "circlebot", api_key: str = "at-test-key", port: int = 0):
        self.username, self.api_key = username, api_key
        self.messages: list[dict] = []
        self.http_errors: list[int] = []  # answered, one per request, before any text is taken
        self.refusals: list[int] = []  # recipients' statusCodes, one per request
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((HOST, port), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self  # type: ignore[attr-defined]

    @property
    def url(self) -> str:
        """The ``AFRICASTALKING_API_BASE``: ``http://127.0.0.1:PORT``."""
        return f"http://{HOST}:{self._server.server_address[1]}"

    def fail_with(self, *statuses: int) -> None:
        """The next requests get these HTTP statuses (500, 429…), one each."""
        with self._lock:
            self.http_errors.extend(statuses)

    def refuse_with(self, *codes: int) -> None:
        """The next texts are refused with these recipient ``statusCode``s (406, 403…), one each."""
        with self._lock:
            self.refusals.extend(codes)

    def sent_to(self, number: str) -> list[dict]:
        """The texts taken for ``number``, oldest first."""
        with self._lock:
            return [m for m in self.messages if m["to"] == number]

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.http_errors.clear()
            self.refusals.clear()

    def answer(self, path: str, headers, form: dict[str, str]) -> tuple[int, dict | str]:
        if path.split("?")[0] != "/version1/messaging":
            return 404, "Not Found"
        if headers.get("apiKey") != self.api_key or form.get("username") != self.username:
            return 401, "The supplied authentication is invalid"
        with self._lock:
            if self.http_errors:
                return self.http_errors.pop(0), "Request failed"
            if not form.get("to") or not form.get("message"):
                return 400, "Missing parameters"
            code = self.refusals.pop(0) if self.refusals else 101
            recipients = []
            for number in form["to"].split(","):
                got = {"statusCode": code, "number": number, "status": STATUS_WORDS.get(code, "Failed")}
                if code == 101:
                    got.update(cost="KES 0.8000", messageId="ATXid_" + secrets.token_hex(16))
                    self.messages.append(
                        {
                            "to": number,
                            "from": form.get("from"),
                            "message": form["message"],
                            "username": form["username"],
                            "message_id": got["messageId"],
                        }
                    )
                else:
                    got.update(cost="0", messageId="None")
                recipients.append(got)
        sent = sum(1 for r in recipients if r["statusCode"] == 101)
        return 201, {
            "SMSMessageData": {
                "Message": f"Sent to {sent}/{len(recipients)} Total Cost: KES 0.8000",
                "Recipients": recipients,
            }
        }

    def start(self) -> "AfricasTalkingStandIn":
        threading.Thread(target=self._server.serve_forever, args=(POLL,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "AfricasTalkingStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        status, body = self.server.standin.answer(self.path, self.headers, form)  # type: ignore[attr-defined]
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass
