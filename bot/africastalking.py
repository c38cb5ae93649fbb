"""Africa's Talking settings (DESIGN.md §2, ``AFRICASTALKING_*``), read once from ``Settings.extra``.

A leaf: the webhook, the channel registry and the pages all ask it whether Africa's Talking is on,
which short code it sends from, and which numbers it carries.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import phonenumbers

DEFAULT_API_BASE = "https://api.africastalking.com"
DEFAULT_COUNTRIES = ("KE",)  # AFRICASTALKING_COUNTRIES when Africa's Talking is configured
DEFAULT_TIMEOUT = 10.0
NAMES = (
    "AFRICASTALKING_USERNAME",
    "AFRICASTALKING_API_KEY",
    "AFRICASTALKING_FROM",
    "AFRICASTALKING_API_BASE",
    "AFRICASTALKING_CALLBACK_KEY",
    "AFRICASTALKING_COUNTRIES",
    "AFRICASTALKING_TIMEOUT",
)
PROVIDER = "africastalking"  # the provider's name where a row or a page names it


@dataclass(frozen=True)
class AfricasTalking:
    """What the ``AFRICASTALKING_*`` settings say."""

    username: str | None = None
    api_key: str | None = None
    sender: str | None = None  # the short code or sender ID (AFRICASTALKING_FROM)
    api_base: str = DEFAULT_API_BASE
    callback_key: str | None = None
    countries: tuple[str, ...] = DEFAULT_COUNTRIES
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def of(cls, settings) -> "AfricasTalking":
        """The Africa's Talking part of ``settings`` (its ``extra`` holds the ``AFRICASTALKING_*`` values)."""
        extra = settings.extra
        countries = str(extra.get("AFRICASTALKING_COUNTRIES") or ",".join(DEFAULT_COUNTRIES))
        return cls(
            username=extra.get("AFRICASTALKING_USERNAME") or None,
            api_key=extra.get("AFRICASTALKING_API_KEY") or None,
            sender=extra.get("AFRICASTALKING_FROM") or None,
            api_base=str(extra.get("AFRICASTALKING_API_BASE") or DEFAULT_API_BASE).rstrip("/"),
            callback_key=extra.get("AFRICASTALKING_CALLBACK_KEY") or None,
            countries=tuple(c.strip().upper() for c in countries.split(",") if c.strip()),
            timeout=float(extra.get("AFRICASTALKING_TIMEOUT") or DEFAULT_TIMEOUT),
        )

    @property
    def enabled(self) -> bool:
        """True when texts can be sent through Africa's Talking (a username and an API key)."""
        return bool(self.username and self.api_key)

    def key_ok(self, given: str | None) -> bool:
        """True when ``given`` is the callback key (compared in constant time); never without a key set."""
        if not self.callback_key or not given:
            return False
        return hmac.compare_digest(given.encode(), self.callback_key.encode())

    def carries(self, e164: str) -> bool:
        """True when a number of this country goes through Africa's Talking (``AFRICASTALKING_COUNTRIES``)."""
        return region(e164) in self.countries

    @property
    def home_region(self) -> str:
        """The region for a number Africa's Talking sends without ``+`` (its first country)."""
        return self.countries[0] if self.countries else DEFAULT_COUNTRIES[0]


def region(e164: str) -> str | None:
    """The two-letter region of an E.164 number, or None when it cannot be read."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
