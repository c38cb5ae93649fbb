"""The Calls part of the Twilio stand-in: ``POST /2010-04-01/Accounts/{AccountSid}/Calls.json`` (To, From, Url or
Twiml, StatusCallback, MachineDetection) records the call and answers 201 with Twilio's Call JSON; ``GET``
lists them, filtered by To, From and ``StartTime>`` (on or after).

A mixin of ``TwilioStandIn``: it shares the stand-in's lock (``_changed``), its attempts and its injected
failures with the Messages API.
"""

from __future__ import annotations

import secrets

from tests.standin.twilio_shared import API_VERSION, ERROR_MESSAGES, matches, parse_when, rfc2822, twilio_error


class CallsApi:
    """The placed calls (``calls``) and the Calls endpoints; needs the stand-in's ``_changed``, ``_calls``,
    ``_attempts``, ``_failures`` and ``clock``."""

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
        after = parse_when(query["StartTime>"]) if query.get("StartTime>") else None
        found = [
            c
            for c in reversed(self.calls)
            if c["account_sid"] == account_sid
            and query.get("To", c["to"]) == c["to"]
            and query.get("From", c["from"]) == c["from"]
            and (after is None or matches(c["received_at"], ">=", after))
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
