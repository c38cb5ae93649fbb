"""Twilio Calls (the ``voice`` channel): places a call through the twilio SDK's ``calls.create``.

The call's TwiML is fetched from ``extra["url"]`` when it is answered (``/twilio/voice/answer``), so
what is said is decided then (the conference room, a voicemail greeting). ``find_sent`` tells, after a
crash between placing and recording a call, whether it was placed, so no second call goes out.
"""

from __future__ import annotations

from datetime import datetime

from bot.outbound.channels.base import SendError, Sent, utc
from bot.outbound.channels.twilio_messages import DEFAULT_TWILIO_TIMEOUT, TwilioChannel, _http_client


class TwilioCallsChannel:
    """Places calls; paced per calling number at ``CALL_RATE_PER_SECOND`` (``identity``)."""

    name = "twilio-calls"

    def __init__(self, settings):
        from twilio.rest import Client

        self.settings = settings
        timeout = float(settings.extra.get("TWILIO_TIMEOUT") or DEFAULT_TWILIO_TIMEOUT)
        self.client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            http_client=_http_client(settings.twilio_api_base, timeout),
        )
        _ = self.client.calls

    def identity(self, channel: str) -> str:
        """The calling number whose pace a call takes (its own, apart from texts)."""
        return f"twilio-calls:{self.settings.twilio_from or 'twilio'}"

    def send(self, address: str, body: str, channel: str = "voice", extra: dict | None = None) -> Sent:
        """Places the call; Twilio fetches ``extra["url"]`` on answer, with answering-machine detection.

        Raises:
            SendError: as for texts (``retry`` for 429, 5xx and time-outs).
        """
        extra = extra or {}
        if not extra.get("url"):
            raise SendError("a call needs the URL of its TwiML", retry=False)
        kwargs = {
            "to": address,
            "from_": self.settings.twilio_from,
            "url": extra["url"],
            "method": "POST",
            "machine_detection": "Enable",
        }
        if extra.get("status_callback"):
            kwargs.update(
                status_callback=extra["status_callback"],
                status_callback_method="POST",
                status_callback_event=["completed"],
            )
        call = TwilioChannel._call(lambda: self.client.calls.create(**kwargs))  # ``method`` is Twilio's
        return Sent(call.sid, call.status or "queued")

    def find_sent(self, address: str, body: str, since: datetime, channel: str = "voice") -> str | None:
        """The sid of a call to ``address`` placed at or after ``since``, else None."""
        after = utc(since).replace(microsecond=0)
        found = TwilioChannel._call(self.client.calls.list, to=address, start_time_after=after, limit=50)
        return found[-1].sid if found else None
