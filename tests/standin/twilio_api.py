"""A local stand-in for Twilio's Messages API (DESIGN.md §7), so the real twilio SDK code runs in tests.

It serves, on 127.0.0.1 only:

* ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (To, From or MessagingServiceSid, Body,
  StatusCallback): checks HTTP basic auth, records the message and answers 201 with Twilio's JSON.
* ``GET /2010-04-01/Accounts/{AccountSid}/Messages.json`` with To, From, DateSent, ``DateSent>``
  (on or after) and ``DateSent<`` (on or before), paged like Twilio (PageSize, Page, next_page_uri).
* ``GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json``.
* ``POST /2010-04-01/Accounts/{AccountSid}/Calls.json`` (To, From, Url or Twiml, StatusCallback,
  MachineDetection): records the call (``calls``) and answers 201 with Twilio's Call JSON; ``GET`` lists
  them, filtered by To, From and ``StartTime>`` (on or after).

* Recordings (``tests/standin/twilio_recordings.py``, ``recordings``): a recording's audio
  (``GET .../Recordings/{Sid}.wav``) and ``DELETE .../Recordings/{Sid}.json``.

* Conferences and their Participants (``tests/standin/twilio_conference.py``): end a conference, mute,
  unmute or remove a participant (``conference``).
* The Content API (``tests/standin/twilio_content.py``): ``POST /v1/Content``,
  ``POST /v1/Content/{sid}/ApprovalRequests/whatsapp`` and ``GET /v1/Content/{sid}/ApprovalRequests``
  (``content``). A message may carry ``ContentSid`` + ``ContentVariables`` instead of ``Body``; with
  ``whatsapp_window`` set, a free-form WhatsApp ``Body`` is refused with 63016 (outside the window).

Failures are injected with ``fail_next`` (a Twilio error JSON) and ``delay_next`` (a slow answer; the
message is still accepted, as when Twilio sends a text but the response is lost).

As its own process, for multi-process tests (one JSON line per accepted message, flushed per line)::

    python -m tests.standin.twilio_api --port 8099 --record /tmp/sent.jsonl
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import secrets
import signal
import threading
from collections import deque
from datetime import date, datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.render import segments
from tests.standin.twilio_conference import ConferenceApi
from tests.standin.twilio_content import ContentApi
from tests.standin.twilio_recordings import RecordingsApi

API_VERSION = "2010-04-01"
HOST = "127.0.0.1"
POLL = 0.02  # seconds between shutdown checks of the serving thread (socketserver: 0.5, half a second per test)
MAX_BODY = 1 << 20
MESSAGES_PATH = re.compile(rf"^/{API_VERSION}/Accounts/([^/]+)/Messages(?:/([^/]+))?\.json$")
CALLS_PATH = re.compile(rf"^/{API_VERSION}/Accounts/([^/]+)/Calls\.json$")
ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number: {to}",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    63016: "Failed to send freeform message because you are outside the allowed window. "
    "If you are using WhatsApp, please use a Message Template.",
}


def twilio_error(status: int, code: int, message: str) -> dict:
    """The JSON body Twilio answers an API error with."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def rfc2822(moment: datetime) -> str:
    """A UTC time the way Twilio writes it: ``Tue, 04 Mar 2025 17:02:03 +0000``."""
    return format_datetime(moment.astimezone(timezone.utc).replace(microsecond=0))


def _parse_when(text: str) -> datetime | date:
    """A date filter value: ``YYYY-MM-DD`` (a date) or an ISO 8601 time such as ``...T12:00:00Z``."""
    text = text.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _matches(sent: datetime, op: str, bound: datetime | date) -> bool:
    """Compares a message's send time with a filter bound, at Twilio's one-second precision."""
    left = sent.date() if isinstance(bound, date) and not isinstance(bound, datetime) else sent.replace(microsecond=0)
    return {">=": left >= bound, "<=": left <= bound, "=": left == bound}[op]


class TwilioStandIn:
    """Twilio's Messages API on ``self.url``; thread-safe; use as ``with TwilioStandIn() as standin:``.

    Args:
        port: The port to bind on 127.0.0.1; 0 picks a free one.
        record: A file to append each accepted message to, as one JSON line.
        auth_token: When set, basic auth must carry this password (else any non-empty one passes).
        clock: Returns the current UTC time (tests may pin it).
    """

    def __init__(self, port: int = 0, record: str | None = None, auth_token: str | None = None, clock=None):
        self.auth_token = auth_token
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self._messages: list[dict] = []
        self._calls: list[dict] = []
        self.content = ContentApi()
        self.recordings = RecordingsApi()
        self.conference = ConferenceApi()  # Conferences and their Participants (tests/standin/twilio_conference.py)
        self.whatsapp_window = False  # True: a WhatsApp Body is refused with 63016 (outside the 24-hour window)
        self._failures: deque = deque()
        self._delays: deque = deque()
        self._attempts = 0
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._record = open(record, "a", encoding="utf-8") if record else None
        self._server = ThreadingHTTPServer((HOST, port), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the stand-in listens on."""
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The base URL to give ``TWILIO_API_BASE``, e.g. ``http://127.0.0.1:40123``."""
        return f"http://{HOST}:{self.port}"

    def start(self) -> "TwilioStandIn":
        """Serves in a daemon thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": POLL}, name="twilio-standin", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stops serving, wakes delayed answers and closes the record file."""
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()
        if self._record is not None:
            self._record.close()
            self._record = None

    def __enter__(self) -> "TwilioStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- failure injection ------------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 429, code: int | None = None, message: str | None = None) -> None:
        """Makes the next ``n`` POSTs answer ``status`` with Twilio's error JSON (code defaults to 20000+status)."""
        with self._changed:
            self._failures.extend([(status, code or 20000 + status, message)] * n)

    def delay_next(self, n: int = 1, seconds: float = 2.0) -> None:
        """Makes the next ``n`` POSTs wait ``seconds`` before answering; the messages are still accepted."""
        with self._changed:
            self._delays.extend([seconds] * n)

    # -- what it got ------------------------------------------------------------------------

    @property
    def messages(self) -> list[dict]:
        """A copy of the accepted messages, oldest first (sid, to, from, body, status_callback, received_at…)."""
        with self._changed:
            return [dict(m) for m in self._messages]

    @property
    def attempts(self) -> int:
        """How many authenticated POSTs arrived, failed ones included."""
        with self._changed:
            return self._attempts

    def sent_to(self, address: str) -> list[dict]:
        """The accepted messages whose To is ``address`` (``whatsapp:`` prefix included if any)."""
        return [m for m in self.messages if m["to"] == address]

    def bodies(self) -> list[str]:
        """The bodies of the accepted messages, oldest first."""
        return [m["body"] for m in self.messages]

    @property
    def calls(self) -> list[dict]:
        """A copy of the placed calls, oldest first (sid, to, from, url, status_callback, received_at…)."""
        with self._changed:
            return [dict(c) for c in self._calls]

    def _create_call(self, account_sid: str, form: dict) -> tuple[int, dict]:
        with self._changed:
            self._attempts += 1
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            status, code, message = failure
            return status, twilio_error(
                status,
                code,
                message or ERROR_MESSAGES.get(code, f"Error {code}").format(to=form.get("To", ""), path=""),
            )
        if not form.get("To") or not form.get("From") or not (form.get("Url") or form.get("Twiml")):
            return 400, twilio_error(400, 21205, "To, From and Url are required")
        call = {
            "sid": "CA" + secrets.token_hex(16),
            "account_sid": account_sid,
            "to": form["To"],
            "from": form["From"],
            "url": form.get("Url"),
            "method": form.get("Method"),
            "status_callback": form.get("StatusCallback"),
            "machine_detection": form.get("MachineDetection"),
            "status": "queued",
            "received_at": self.clock(),
        }
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()
        return 201, self._call_resource(call)

    def _call_resource(self, c: dict) -> dict:
        uri = f"/{API_VERSION}/Accounts/{c['account_sid']}/Calls/{c['sid']}.json"
        return {
            "sid": c["sid"],
            "account_sid": c["account_sid"],
            "to": c["to"],
            "from": c["from"],
            "status": c["status"],
            "direction": "outbound-api",
            "api_version": API_VERSION,
            "date_created": rfc2822(c["received_at"]),
            "date_updated": rfc2822(c["received_at"]),
            "start_time": rfc2822(c["received_at"]),
            "uri": uri,
        }

    def _list_calls(self, account_sid: str, path: str, query: dict) -> tuple[int, dict]:
        after = _parse_when(query["StartTime>"]) if query.get("StartTime>") else None
        found = [
            c
            for c in reversed(self.calls)
            if c["account_sid"] == account_sid
            and query.get("To", c["to"]) == c["to"]
            and query.get("From", c["from"]) == c["from"]
            and (after is None or _matches(c["received_at"], ">=", after))
        ]
        return 200, {
            "calls": [self._call_resource(c) for c in found],
            "uri": path,
            "page": 0,
            "page_size": len(found) or 50,
            "first_page_uri": path,
            "start": 0,
            "end": max(len(found) - 1, 0),
            "previous_page_uri": None,
            "next_page_uri": None,
        }

    def clear(self) -> None:
        """Forgets messages, attempts and pending failures or delays."""
        with self._changed:
            self._messages.clear()
            self._failures.clear()
            self._delays.clear()
            self._attempts = 0

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        """Waits until at least ``count`` messages were accepted; False on time-out."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._messages) >= count, timeout)

    # -- request handling (called from the server's threads) --------------------------------

    def _create(self, account_sid: str, form: dict) -> tuple[int, dict]:
        with self._changed:
            self._attempts += 1
            failure = self._failures.popleft() if self._failures else None
            delay = self._delays.popleft() if self._delays else 0.0
        to, sender, service = form.get("To", ""), form.get("From", ""), form.get("MessagingServiceSid", "")
        body = form.get("Body", "")
        if failure is not None:
            status, code, message = failure
            message = message or ERROR_MESSAGES.get(code, f"Error {code}").format(to=to, path="")
            answer = (status, twilio_error(status, code, message))
        elif not to:
            answer = (400, twilio_error(400, 21604, ERROR_MESSAGES[21604]))
        elif not sender and not service:
            answer = (400, twilio_error(400, 21603, ERROR_MESSAGES[21603]))
        elif not body and "MediaUrl" not in form and not form.get("ContentSid"):
            answer = (400, twilio_error(400, 21602, ERROR_MESSAGES[21602]))
        elif self.whatsapp_window and to.startswith("whatsapp:") and not form.get("ContentSid"):
            answer = (400, twilio_error(400, 63016, ERROR_MESSAGES[63016]))
        else:
            answer = (201, self._resource(self._accept(account_sid, to, sender, service, body, form), listed=False))
        if delay:
            self._stopping.wait(delay)
        return answer

    def _accept(self, account_sid: str, to: str, sender: str, service: str, body: str, form: dict) -> dict:
        record = {
            "sid": "SM" + secrets.token_hex(16),
            "account_sid": account_sid,
            "to": to,
            "from": sender or None,
            "messaging_service_sid": service or None,
            "body": body,
            "status": "queued" if sender else "accepted",
            "status_callback": form.get("StatusCallback"),
            "content_sid": form.get("ContentSid"),
            "rendered": self.content.text(form.get("ContentSid"), form.get("ContentVariables")),
            "content_variables": json.loads(form["ContentVariables"]) if form.get("ContentVariables") else None,
            "num_segments": segments.count(body).segments,
            "received_at": self.clock(),
        }
        with self._changed:
            self._messages.append(record)
            if self._record is not None:
                self._record.write(json.dumps({**record, "received_at": record["received_at"].isoformat()}) + "\n")
                self._record.flush()
            self._changed.notify_all()
        return record

    def _resource(self, m: dict, listed: bool = True) -> dict:
        """Twilio's Message JSON; once created, reads show it sent at the time it was received."""
        uri = f"/{API_VERSION}/Accounts/{m['account_sid']}/Messages/{m['sid']}.json"
        return {
            "account_sid": m["account_sid"],
            "api_version": API_VERSION,
            "body": m.get("rendered") or m["body"],  # a template's text, as WhatsApp shows it
            "date_created": rfc2822(m["received_at"]),
            "date_updated": rfc2822(m["received_at"]),
            "date_sent": rfc2822(m["received_at"]) if listed else None,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": m["from"],
            "messaging_service_sid": m["messaging_service_sid"],
            "num_media": "0",
            "num_segments": str(m["num_segments"]),
            "price": None,
            "price_unit": "USD",
            "sid": m["sid"],
            "status": "sent" if listed else m["status"],
            "to": m["to"],
            "uri": uri,
            "subresource_uris": {"media": uri[:-5] + "/Media.json", "feedback": uri[:-5] + "/Feedback.json"},
        }

    def _list(self, account_sid: str, path: str, query: dict) -> tuple[int, dict]:
        try:
            filters = [
                (op, _parse_when(query[key]))
                for key, op in (
                    ("DateSent", "="),
                    ("DateSent>", ">="),
                    ("DateSent>=", ">="),
                    ("DateSent<", "<="),
                    ("DateSent<=", "<="),
                )
                if query.get(key)
            ]
            size = min(max(int(query.get("PageSize", 50)), 1), 1000)
            page = max(int(query.get("Page", 0)), 0)
        except ValueError as exc:
            return 400, twilio_error(400, 20001, f"Invalid parameter: {exc}")
        found = [
            m
            for m in reversed(self.messages)
            if m["account_sid"] == account_sid
            and query.get("To", m["to"]) == m["to"]
            and query.get("From", m["from"]) == m["from"]
            and all(_matches(m["received_at"], op, bound) for op, bound in filters)
        ]
        chunk = found[page * size : (page + 1) * size]
        keep = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

        def page_uri(number: int) -> str:
            return path + "?" + urlencode({**keep, "PageSize": size, "Page": number})

        return 200, {
            "messages": [self._resource(m) for m in chunk],
            "uri": page_uri(page),
            "page": page,
            "page_size": size,
            "first_page_uri": page_uri(0),
            "start": page * size,
            "end": page * size + max(len(chunk) - 1, 0),
            "previous_page_uri": page_uri(page - 1) if page else None,
            "next_page_uri": page_uri(page + 1) if len(found) > (page + 1) * size else None,
        }

    def _fetch(self, account_sid: str, sid: str, path: str) -> tuple[int, dict]:
        for m in self.messages:
            if m["sid"] == sid and m["account_sid"] == account_sid:
                return 200, self._resource(m)
        return 404, twilio_error(404, 20404, ERROR_MESSAGES[20404].format(path=path))

    def _authorized(self, header: str | None, account_sid: str) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except ValueError:
            return False
        if not password or (user != account_sid and not user.startswith("SK")):
            return False
        return self.auth_token is None or password == self.auth_token


class _Handler(BaseHTTPRequestHandler):
    server_version = "TwilioStandIn/1.0"

    def log_message(self, *args) -> None:  # quiet in tests
        pass

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
        status, content_type, data = standin.recordings.route(method, path)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

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
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a time-out test)
            pass


def main(argv: list[str] | None = None) -> int:
    """Runs the stand-in until SIGTERM or Ctrl-C; prints its URL on the first line of stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--record", metavar="FILE", help="append each accepted message to FILE as a JSON line")
    parser.add_argument("--auth-token", help="require this auth token (default: any non-empty one)")
    args = parser.parse_args(argv)
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    with TwilioStandIn(port=args.port, record=args.record, auth_token=args.auth_token) as standin:
        print(standin.url, flush=True)
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
