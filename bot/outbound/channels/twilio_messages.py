"""Twilio Messages (SMS and WhatsApp) through the twilio SDK's REST client.

It can also tell, after a crash between sending and recording, whether a text already went out
(``find_sent``), so a reconciling job does not send it twice.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from bot.domain.reach import TRANSIENT
from bot.outbound.channels.base import SendError, Sent, utc

DEFAULT_TWILIO_TIMEOUT = 10.0
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class TwilioChannel:
    """Sends through the twilio SDK's REST client (``TWILIO_API_BASE`` points it at a stand-in).

    The HTTP time-out is ``TWILIO_TIMEOUT`` seconds (``settings.extra``, default 10).
    """

    name = "twilio"

    def __init__(self, settings):
        from twilio.rest import Client

        self.settings = settings
        self.timeout = float(settings.extra.get("TWILIO_TIMEOUT") or DEFAULT_TWILIO_TIMEOUT)
        http_client = _http_client(settings.twilio_api_base, self.timeout)
        self.client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
        # Load the Messages API modules now, not in the first job after it took its pacing slot.
        _ = self.client.messages

    def identity(self, channel: str) -> str:
        """The sending identity whose pace a send takes: the number per channel, or the Messaging Service."""
        sender = self.settings.twilio_from or "twilio"
        if sender.startswith("MG"):
            return f"twilio:{sender}"
        return f"twilio:{self._to(sender, channel)}"

    @staticmethod
    def _to(address: str, channel: str) -> str:
        return f"whatsapp:{address}" if channel == "whatsapp" else address

    def send(self, address: str, body: str, channel: str = "sms", extra: dict | None = None) -> Sent:
        """Creates the message through Twilio's Messages API.

        Raises:
            SendError: ``retry`` for 429, 5xx, time-outs, connection errors and Twilio's codes for a
                passing failure (``bot.domain.reach.TRANSIENT``); not for other 4xx (21211 invalid
                number, 21614 a landline, 21610 unsubscribed recipient: ``code`` tells which).
        """
        sender = self.settings.twilio_from or ""
        kwargs = {
            "to": self._to(address, channel),
            "body": body,
            "status_callback": self.settings.public_base_url + "/twilio/status",
        }
        if sender.startswith("MG"):
            kwargs["messaging_service_sid"] = sender
        else:
            kwargs["from_"] = self._to(sender, channel)
        message = self._call(self.client.messages.create, **kwargs)
        return Sent(message.sid, message.status or "queued")

    def send_template(self, address: str, content_sid: str, variables: dict[str, str], body: str = "") -> Sent:
        """Sends a WhatsApp Content Template: ``ContentSid`` + ``ContentVariables`` (JSON), no ``Body``.

        ``body`` (the rendered text, kept on the row) is not sent: since April 2025 WhatsApp refuses it.

        Raises:
            SendError: as for ``send``; ``code`` 63016 when WhatsApp still refuses it.
        """
        import json

        sender = self.settings.twilio_from or ""
        kwargs = {
            "to": self._to(address, "whatsapp"),
            "content_sid": content_sid,
            "content_variables": json.dumps(variables, ensure_ascii=False),
            "status_callback": self.settings.public_base_url + "/twilio/status",
        }
        if sender.startswith("MG"):
            kwargs["messaging_service_sid"] = sender
        else:
            kwargs["from_"] = self._to(sender, "whatsapp")
        message = self._call(self.client.messages.create, **kwargs)
        return Sent(message.sid, message.status or "queued")

    def find_sent(self, address: str, body: str, since: datetime, channel: str = "sms") -> str | None:
        """Returns the provider id of a message with this To and Body created at or after `since`, else None.

        A WhatsApp template message is listed with the template's text around the row's (its variable).
        Twilio filters by send date at one-second precision (``DateSent>`` means on or after), so
        ``since`` is cut to the whole second; a message Twilio still holds unsent has no send date and
        is not listed.

        Raises:
            SendError: Twilio could not be asked (``retry`` as for ``send``).
        """
        after = utc(since).replace(microsecond=0)
        found = self._call(self.client.messages.list, to=self._to(address, channel), date_sent_after=after, limit=200)
        matches = [
            m for m in found if _same(m.body, body, channel) and (m.date_created or m.date_sent or after) >= after
        ]
        if not matches:
            return None
        return min(matches, key=lambda m: m.date_created or m.date_sent or after).sid

    @staticmethod
    def _call(method, **kwargs):
        """Calls the SDK, turning its errors into ``SendError``."""
        import requests
        from twilio.base.exceptions import TwilioRestException, TwilioServiceException

        try:
            return method(**kwargs)
        except (TwilioRestException, TwilioServiceException) as exc:
            retry = exc.status == 429 or exc.status >= 500 or str(exc.code) in TRANSIENT
            text = getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", "")
            raise SendError(f"twilio {exc.status} {exc.code}: {text}", retry=retry, code=exc.code) from exc
        except requests.exceptions.RequestException as exc:  # connection errors and time-outs (not our bugs)
            raise SendError(
                f"twilio unreachable: {exc.__class__.__name__}", retry=True, unknown=not _never_sent(exc)
            ) from exc


def _same(listed: str | None, body: str, channel: str) -> bool:
    """True when a listed message is this text: the same Body, or a WhatsApp template that carries it."""
    return listed == body or (channel == "whatsapp" and bool(body) and (listed or "").endswith(body))


def _never_sent(exc: Exception) -> bool:
    """True when the request surely never reached the provider (no connection was made)."""
    import requests

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    return isinstance(exc, requests.exceptions.ConnectionError) and (
        "NewConnectionError" in repr(exc) or "Connection refused" in str(exc)
    )


def _http_client(base: str | None, timeout: float):
    """The SDK's HTTP client with ``timeout``; with ``base``, every *.twilio.com URL goes there instead."""
    from twilio.http.http_client import TwilioHttpClient

    if not base:
        return TwilioHttpClient(timeout=timeout)
    base = base.rstrip("/")

    class RebasedHttpClient(TwilioHttpClient):
        """Sends every Twilio API call (api.twilio.com, messaging.twilio.com, regional hosts) to ``base``."""

        def request(self, method, url, *args, **kwargs):
            parts = urlsplit(url)
            if parts.hostname and (parts.hostname == "twilio.com" or parts.hostname.endswith(".twilio.com")):
                url = base + parts.path + (f"?{parts.query}" if parts.query else "")
            return super().request(method, url, *args, **kwargs)

    client = RebasedHttpClient(timeout=timeout)
    if urlsplit(base).hostname in LOOPBACK:
        client.session.trust_env = False  # a local stand-in: no proxy from the environment
    return client
