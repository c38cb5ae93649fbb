"""The Conference part of the Twilio stand-in (issue 26): the host's controls over a conference call.

* ``POST /2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}.json`` (``Status=completed``): ends
  the conference; every participant leaves.
* ``POST .../Conferences/{ConferenceSid}/Participants/{CallSid}.json`` (``Muted=true|false``): mutes or
  unmutes one participant.
* ``DELETE .../Conferences/{ConferenceSid}/Participants/{CallSid}.json``: removes one participant (204).
* ``GET`` of either resource answers its JSON.

A conference the stand-in does not know, or a participant not (or no longer) in it, answers Twilio's 404
(code 20404), as Twilio does when a caller has already hung up. Tests put callers in a conference with
``join(conference_sid, room, call_sid)``; ``requests`` keeps every request in order (method, conference,
call, form), so a test can check what was sent and what was not.
"""

from __future__ import annotations

import re
import threading

CONFERENCE_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Conferences/([^/]+?)(?:/Participants/([^/]+?))?\.json$")


def not_found(path: str) -> tuple[int, dict]:
    """Twilio's 404 JSON (code 20404)."""
    return 404, {
        "code": 20404,
        "message": f"The requested resource {path} was not found",
        "more_info": "https://www.twilio.com/docs/errors/20404",
        "status": 404,
    }


class ConferenceApi:
    """The conferences the stand-in holds and the requests it got; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.conferences: dict[str, dict] = {}
        self.requests: list[tuple[str, str, str | None, dict]] = []

    def join(self, conference_sid: str, room: str, call_sid: str) -> None:
        """Puts ``call_sid`` into the conference (made in progress on its first caller)."""
        with self._lock:
            conference = self.conferences.setdefault(
                conference_sid, {"friendly_name": room, "status": "in-progress", "participants": {}}
            )
            conference["participants"][call_sid] = {"muted": False}

    def leave(self, conference_sid: str, call_sid: str) -> None:
        """The caller hung up: a later request about them answers 404."""
        with self._lock:
            self.conferences.get(conference_sid, {}).get("participants", {}).pop(call_sid, None)

    def muted(self, conference_sid: str) -> dict[str, bool]:
        """Each participant still in the conference → muted or not."""
        with self._lock:
            people = self.conferences.get(conference_sid, {}).get("participants", {})
            return {sid: p["muted"] for sid, p in people.items()}

    def status(self, conference_sid: str) -> str | None:
        with self._lock:
            conference = self.conferences.get(conference_sid)
            return conference["status"] if conference else None

    def route(self, method: str, path: str, form: dict) -> tuple[int, dict | None] | None:
        """Answers a Conference API request; None when ``path`` is not one."""
        match = CONFERENCE_PATH.match(path)
        if match is None:
            return None
        account_sid, conference_sid, call_sid = match.groups()
        with self._lock:
            self.requests.append((method, conference_sid, call_sid, dict(form)))
            conference = self.conferences.get(conference_sid)
            if conference is None or (conference["status"] == "completed" and method != "GET"):
                return not_found(path)
            if call_sid is None:
                if method == "POST" and form.get("Status") == "completed":
                    conference["status"] = "completed"
                    conference["participants"].clear()
                return 200, _conference(account_sid, conference_sid, conference)
            person = conference["participants"].get(call_sid)
            if person is None:
                return not_found(path)
            if method == "DELETE":
                del conference["participants"][call_sid]
                return 204, None
            if method == "POST" and "Muted" in form:
                person["muted"] = form["Muted"].lower() == "true"
            return 200, _participant(account_sid, conference_sid, call_sid, person)


def _conference(account_sid: str, sid: str, conference: dict) -> dict:
    return {
        "sid": sid,
        "account_sid": account_sid,
        "friendly_name": conference["friendly_name"],
        "status": conference["status"],
        "api_version": "2010-04-01",
        "uri": f"/2010-04-01/Accounts/{account_sid}/Conferences/{sid}.json",
    }


def _participant(account_sid: str, conference_sid: str, call_sid: str, person: dict) -> dict:
    return {
        "account_sid": account_sid,
        "call_sid": call_sid,
        "conference_sid": conference_sid,
        "muted": person["muted"],
        "hold": False,
        "status": "connected",
        "uri": f"/2010-04-01/Accounts/{account_sid}/Conferences/{conference_sid}/Participants/{call_sid}.json",
    }
