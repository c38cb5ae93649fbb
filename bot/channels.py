"""Outbound senders: Twilio (the real SDK), or the simulator when no Twilio account is set."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from bot import segments
from bot.phone import mask

log = logging.getLogger(__name__)


class SendError(Exception):
    """A send failed. ``retry`` tells whether trying again may help."""

    def __init__(self, message: str, retry: bool, code: int | None = None):
        super().__init__(message)
        self.retry = retry
        self.code = code


@dataclass(frozen=True)
class Sent:
    """What a channel reports after sending."""

    provider_id: str
    status: str


class SimulatorChannel:
    """Records outbound texts as Message rows; the phone simulator shows them."""

    name = "simulator"

    def __init__(self, uow):
        self.uow = uow

    def send(self, address: str, body: str, channel: str = "sms") -> Sent:
        """Stores the outbound text, as if a phone had received it."""
        from bot.models import Message

        provider_id = "SIM" + secrets.token_hex(16)
        with self.uow() as session:
            session.add(Message(
                direction="out", channel=channel, provider_id=provider_id, address=address, body=body,
                segments=segments.count(body).segments, status="delivered", created_at=datetime.now(timezone.utc),
            ))
            session.commit()
        log.info("simulator sent %s segment(s) to %s", segments.count(body).segments, mask(address))
        return Sent(provider_id, "delivered")


class TwilioChannel:
    """Sends through the twilio SDK's REST client (``TWILIO_API_BASE`` points it at a stand-in)."""

    name = "twilio"

    def __init__(self, settings):
        from twilio.rest import Client

        self.settings = settings
        http_client = None
        if settings.twilio_api_base:
            http_client = _rebased_http_client(settings.twilio_api_base)
        self.client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)

    def send(self, address: str, body: str, channel: str = "sms") -> Sent:
        """Creates the message through Twilio's Messages API."""
        from twilio.base.exceptions import TwilioRestException

        to = f"whatsapp:{address}" if channel == "whatsapp" else address
        sender = self.settings.twilio_from or ""
        kwargs = {"to": to, "body": body, "status_callback": self.settings.public_base_url + "/twilio/status"}
        if sender.startswith("MG"):
            kwargs["messaging_service_sid"] = sender
        else:
            kwargs["from_"] = f"whatsapp:{sender}" if channel == "whatsapp" else sender
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            retry = exc.status == 429 or exc.status >= 500
            raise SendError(f"twilio {exc.status} {exc.code}: {exc.msg}", retry=retry, code=exc.code) from exc
        except Exception as exc:  # connection errors and time-outs
            raise SendError(f"twilio unreachable: {exc.__class__.__name__}", retry=True) from exc
        return Sent(message.sid, message.status or "queued")


def _rebased_http_client(base: str):
    from twilio.http.http_client import TwilioHttpClient

    class RebasedHttpClient(TwilioHttpClient):
        """Sends every Twilio API call to ``base`` instead of api.twilio.com."""

        def request(self, method, url, *args, **kwargs):
            for host in ("https://api.twilio.com", "https://messaging.twilio.com"):
                if url.startswith(host):
                    url = base.rstrip("/") + url[len(host):]
            return super().request(method, url, *args, **kwargs)

    return RebasedHttpClient(timeout=10)


def make_channel(settings, uow):
    """The SMS/WhatsApp sender the settings ask for."""
    return TwilioChannel(settings) if settings.twilio_enabled else SimulatorChannel(uow)
