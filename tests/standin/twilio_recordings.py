"""The Recordings part of the Twilio stand-in (issue 29): the audio a ``<Record>`` made, and its deletion.

* ``GET /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.wav`` (or ``.mp3``): the audio, as Twilio
  serves a recording's media.
* ``GET /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json``: the Recording resource.
* ``DELETE /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json``: 204; the audio is gone (404 after).

Tests play the phone: ``add(call_sid, audio)`` is a recording Twilio made on that call (its ``RE`` sid is
what Twilio's recording status callback carries); ``deleted`` lists the sids deleted through the API.
"""

from __future__ import annotations

import re
import secrets
import threading

API_VERSION = "2010-04-01"
RECORDINGS_PATH = re.compile(rf"^/{API_VERSION}/Accounts/([^/]+)/Recordings/(RE[0-9a-f]{{32}})\.(wav|mp3|json)$")


class RecordingsApi:
    """The recordings the stand-in holds; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._audio: dict[str, tuple[str, str, bytes]] = {}  # sid → (account, call, audio)
        self.deleted: list[str] = []
        self.fetched: list[str] = []

    def add(self, call_sid: str, audio: bytes, account_sid: str = "") -> str:
        """A recording Twilio made on ``call_sid``; returns its ``RE`` sid."""
        sid = "RE" + secrets.token_hex(16)
        with self._lock:
            self._audio[sid] = (account_sid, call_sid, audio)
        return sid

    def held(self) -> list[str]:
        """The sids still stored (not deleted)."""
        with self._lock:
            return list(self._audio)

    @staticmethod
    def matches(path: str) -> bool:
        return RECORDINGS_PATH.match(path) is not None

    def route(self, method: str, path: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a Recordings request whose path ``matches``."""
        match = RECORDINGS_PATH.match(path)
        assert match is not None
        account_sid, sid, ext = match.groups()
        with self._lock:
            found = self._audio.get(sid)
            if found is not None and found[0] and found[0] != account_sid:
                found = None
            if found is not None and method == "DELETE" and ext == "json":
                del self._audio[sid]
                self.deleted.append(sid)
                return 204, "application/json", b""
            if found is not None and method == "GET" and ext in ("wav", "mp3"):
                self.fetched.append(sid)
        if found is None:
            return (
                404,
                "application/json",
                b'{"code": 20404, "message": "The requested resource was not found", "status": 404}',
            )
        if method != "GET":
            return 405, "application/json", b'{"code": 20004, "message": "Method not allowed", "status": 405}'
        if ext == "json":
            body = (
                f'{{"sid": "{sid}", "account_sid": "{account_sid}", "call_sid": "{found[1]}", "status": "completed"}}'
            )
            return 200, "application/json", body.encode()
        return 200, "audio/x-wav" if ext == "wav" else "audio/mpeg", found[2]
