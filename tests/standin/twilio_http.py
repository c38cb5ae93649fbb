"""The Twilio stand-in's HTTP side: routes each request to the API it names (Messages, Calls, Content,
Recordings, Conferences), checks its basic auth, and answers Twilio's JSON."""

from __future__ import annotations

import base64
import contextlib
import json
import re
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from tests.standin.twilio_shared import API_VERSION, ERROR_MESSAGES, twilio_error

if TYPE_CHECKING:
    from tests.standin.twilio_api import TwilioStandIn

MAX_BODY = 1 << 20
MESSAGES_PATH = re.compile(rf"^/{API_VERSION}/Accounts/([^/]+)/Messages(?:/([^/]+))?\.json$")
CALLS_PATH = re.compile(rf"^/{API_VERSION}/Accounts/([^/]+)/Calls\.json$")


class Handler(BaseHTTPRequestHandler):
    server_version = "TwilioStandIn/1.0"

    def log_message(self, *args) -> None:
        """Quiet in tests: no line per request."""

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _route(self, method: str) -> None:
        standin: TwilioStandIn = self.server.standin
        parts = urlsplit(self.path)
        if parts.path.startswith("/v1/Content"):
            return self._content(standin, method, parts.path)
        if standin.recordings.matches(parts.path):
            return self._recording(standin, method, parts.path)
        if "/Conferences/" in parts.path:
            return self._conference(standin, method, parts.path)
        calls = CALLS_PATH.match(parts.path)
        if calls is not None:
            account_sid = calls.group(1)
            if not standin._authorized(self.headers.get("Authorization"), account_sid):
                return self._answer(401, twilio_error(401, 20003, ERROR_MESSAGES[20003]))
            if method == "GET":
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                return self._answer(*standin._list_calls(account_sid, parts.path, query))
            raw = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), MAX_BODY)).decode("utf-8")
            return self._answer(*standin._create_call(account_sid, {k: v[-1] for k, v in parse_qs(raw).items()}))
        match = MESSAGES_PATH.match(parts.path)
        if match is None:
            return self._answer(404, twilio_error(404, 20404, ERROR_MESSAGES[20404].format(path=parts.path)))
        account_sid, sid = match.groups()
        if not standin._authorized(self.headers.get("Authorization"), account_sid):
            return self._answer(401, twilio_error(401, 20003, ERROR_MESSAGES[20003]))
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if method == "GET":
            return self._answer(
                *(
                    standin._fetch(account_sid, sid, parts.path)
                    if sid
                    else standin._list(account_sid, parts.path, query)
                )
            )
        if sid:
            return self._answer(405, twilio_error(405, 20004, "Method not allowed"))
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._answer(413, twilio_error(413, 20413, "Request entity too large"))
        raw = self.rfile.read(length).decode("utf-8")
        form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        self._answer(*standin._create(account_sid, form))

    def _content(self, standin: TwilioStandIn, method: str, path: str) -> None:
        header = self.headers.get("Authorization") or ""
        account_sid = ""
        if header.startswith("Basic "):
            account_sid = base64.b64decode(header[6:]).decode("utf-8", "replace").partition(":")[0]
        if not standin._authorized(header, account_sid):
            return self._answer(401, twilio_error(401, 20003, ERROR_MESSAGES[20003]))
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return self._answer(400, twilio_error(400, 20001, "Invalid JSON"))
        if isinstance(body, dict) and method == "POST" and path == "/v1/Content":
            body["account_sid"] = account_sid
        answer = standin.content.route(method, path, body)
        if answer is None:
            return self._answer(404, twilio_error(404, 20404, ERROR_MESSAGES[20404].format(path=path)))
        return self._answer(*answer)

    def _recording(self, standin: TwilioStandIn, method: str, path: str) -> None:
        account_sid = path.split("/")[3]
        if not standin._authorized(self.headers.get("Authorization"), account_sid):
            return self._answer(401, twilio_error(401, 20003, ERROR_MESSAGES[20003]))
        self._send(*standin.recordings.route(method, path))

    def _conference(self, standin: TwilioStandIn, method: str, path: str) -> None:
        account_sid = path.split("/")[3] if path.count("/") > 3 else ""
        if not standin._authorized(self.headers.get("Authorization"), account_sid):
            return self._answer(401, twilio_error(401, 20003, ERROR_MESSAGES[20003]))
        raw = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), MAX_BODY)).decode("utf-8")
        answer = standin.conference.route(method, path, {k: v[-1] for k, v in parse_qs(raw).items()})
        if answer is None:
            return self._answer(404, twilio_error(404, 20404, ERROR_MESSAGES[20404].format(path=path)))
        return self._answer(*answer)

    def _answer(self, status: int, payload: dict | None) -> None:
        data = json.dumps(payload).encode("utf-8") if payload is not None else b""
        self._send(status, "application/json; charset=utf-8", data)

    def _send(self, status: int, content_type: str, data: bytes) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a time-out test)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
