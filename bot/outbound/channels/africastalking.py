"""Africa's Talking SMS: ``POST {base}/version1/messaging`` over ``requests`` (its documented HTTP API).

Why not the official ``africastalking`` SDK (2.0.3): it has no base URL setting (the stand-in would
mean overwriting its private ``_baseUrl``), it keeps credentials in module globals
(``africastalking.initialize``), it turns every non-2xx answer into one exception carrying only the body
(so 429 and 5xx cannot be told from a refused number), it posts with bare ``requests.post`` (no pooled
session, and a proxy from the environment even for a local stand-in), and it installs the ``responses``
test library in production. The API it wraps is one form POST; this adapter is that POST.
"""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import urlsplit

from bot.africastalking import PROVIDER, AfricasTalking
from bot.domain.phone import mask
from bot.outbound.channels.base import SendError, Sent

log = logging.getLogger(__name__)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
PATH = "/version1/messaging"
# A recipient's ``statusCode`` (Africa's Talking's SMS docs): 100 processed, 101 sent, 102 queued are sent.
SENT_CODES = frozenset({100, 101, 102})
OPTED_OUT = frozenset({406, 409})  # UserInBlacklist, DoNotDisturbRejection: the recipient refused this sender
RETRY_CODES = frozenset({500, 501, 502, 405})  # its own errors and the account's balance: later may work
SENT = "sent"


class AfricasTalkingChannel:
    """Sends SMS from the short code or sender ID ``AFRICASTALKING_FROM``; paced per that short code."""

    name = PROVIDER

    def __init__(self, config: AfricasTalking):
        import requests

        self.config = config
        self.session = requests.Session()
        self.session.headers.update({"apiKey": config.api_key or "", "Accept": "application/json"})
        if urlsplit(config.api_base).hostname in LOOPBACK:
            self.session.trust_env = False  # a local stand-in: no proxy from the environment

    def identity(self, channel: str = "sms") -> str:
        """The pacing identity: the short code (or sender ID) every text goes out from."""
        return f"{PROVIDER}:{self.config.sender or self.config.username}"

    def send(self, address: str, body: str, channel: str = "sms", extra: dict | None = None) -> Sent:
        """Sends one text and returns Africa's Talking's ``messageId``.

        Raises:
            SendError: ``retry`` for 429, 5xx, time-outs and the recipient codes 405 and 500–502;
                ``opt_out`` for 406 (blacklisted) and 409 (do not disturb); not ``retry`` for an invalid
                number (403) or any other refusal.
        """
        import requests

        form = {"username": self.config.username, "to": address, "message": body}
        if self.config.sender:
            form["from"] = self.config.sender
        try:
            response = self.session.post(self.config.api_base + PATH, data=form, timeout=self.config.timeout)
        except requests.exceptions.ConnectionError as exc:
            never = "NewConnectionError" in repr(exc) or "Connection refused" in str(exc)
            raise SendError(
                f"africastalking unreachable: {exc.__class__.__name__}", retry=True, unknown=not never
            ) from exc
        except requests.exceptions.Timeout as exc:
            never = isinstance(exc, requests.exceptions.ConnectTimeout)
            raise SendError("africastalking timed out", retry=True, unknown=not never) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise SendError(f"africastalking {response.status_code}", retry=True, code=response.status_code)
        if response.status_code >= 300:
            raise SendError(
                f"africastalking {response.status_code}: {response.text[:120]}", retry=False, code=response.status_code
            )
        return _recipient(response, address)

    def find_sent(self, address: str, body: str, since: datetime, channel: str = "sms") -> str | None:
        """Africa's Talking cannot list sent messages: a row stuck mid-send is sent again (None)."""
        return None


def _recipient(response, address: str) -> Sent:
    """The one recipient's outcome in ``SMSMessageData.Recipients``."""
    try:
        recipients = response.json()["SMSMessageData"]["Recipients"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SendError(f"africastalking answered without recipients: {response.text[:120]}", retry=False) from exc
    if not recipients:  # nobody: the whole message was refused (its ``Message`` says why)
        raise SendError("africastalking sent to no recipient", retry=False)
    got = recipients[0]
    code = int(got.get("statusCode") or 0)
    if code in SENT_CODES and got.get("messageId"):
        log.info("africastalking sent to %s (%s)", mask(address), got.get("status"))
        return Sent(str(got["messageId"]), SENT)
    text = f"africastalking {code} {got.get('status')}"
    raise SendError(text, retry=code in RETRY_CODES, code=code, opt_out=code in OPTED_OUT)
