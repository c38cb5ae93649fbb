"""A local stand-in for Twilio's Messages API (DESIGN.md §7), so the real twilio SDK code runs in tests.

It serves, on 127.0.0.1 only:

* ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (To, From or MessagingServiceSid, Body,
  StatusCallback): checks HTTP basic auth, records the message and answers 201 with Twilio's JSON.
* ``GET /2010-04-01/Accounts/{AccountSid}/Messages.json`` with To, From, DateSent, ``DateSent>``
  (on or after) and ``DateSent<`` (on or before), paged like Twilio (PageSize, Page, next_page_uri).
* ``GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json``.
* Calls (``tests/standin/twilio_calls.py``): ``POST /2010-04-01/Accounts/{AccountSid}/Calls.json`` records
  the call (``calls``) and answers 201 with Twilio's Call JSON; ``GET`` lists them.

* Recordings (``tests/standin/twilio_recordings.py``, ``recordings``): a recording's audio
  (``GET .../Recordings/{Sid}.wav``) and ``DELETE .../Recordings/{Sid}.json``.

* Conferences and their Participants (``tests/standin/twilio_conference.py``): end a conference, mute,
  unmute or remove a participant (``conference``).
* The Content API (``tests/standin/twilio_content.py``): ``POST /v1/Content``,
  ``POST /v1/Content/{sid}/ApprovalRequests/whatsapp`` and ``GET /v1/Content/{sid}/ApprovalRequests``
  (``content``). A message may carry ``ContentSid`` + ``ContentVariables`` instead of ``Body``; with
  ``whatsapp_window`` set, a free-form WhatsApp ``Body`` is refused with 63016 (outside the window).

The HTTP routing is ``tests/standin/twilio_http.py``; Twilio's error JSON, time format and date filters
are ``tests/standin/twilio_shared.py``.

Failures are injected with ``fail_next`` (a Twilio error JSON) and ``delay_next`` (a slow answer; the
message is still accepted, as when Twilio sends a text but the response is lost).

As its own process, for multi-process tests (one JSON line per accepted message, flushed per line)::

    python -m tests.standin.twilio_api --port 8099 --record /tmp/sent.jsonl
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import signal
import threading
from collections import deque
from datetime import datetime, timezone
from http.server import ThreadingHTTPServer
from urllib.parse import urlencode

from bot.render import segments
from tests.standin.twilio_calls import CallsApi
from tests.standin.twilio_conference import ConferenceApi
from tests.standin.twilio_content import ContentApi
from tests.standin.twilio_http import Handler
from tests.standin.twilio_recordings import RecordingsApi
from tests.standin.twilio_shared import API_VERSION, ERROR_MESSAGES, matches, parse_when, rfc2822, twilio_error

HOST = "127.0.0.1"
POLL = 0.02  # seconds between shutdown checks of the serving thread (socketserver: 0.5, half a second per test)


class TwilioStandIn(CallsApi):
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
        self._server = ThreadingHTTPServer((HOST, port), Handler)
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
                (op, parse_when(query[key]))
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
            and all(matches(m["received_at"], op, bound) for op, bound in filters)
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
