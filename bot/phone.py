"""Phone numbers: parsing to E.164 with ``phonenumbers``, and masking for logs."""
from __future__ import annotations

import phonenumbers

WHATSAPP_PREFIX = "whatsapp:"


def to_e164(raw: str | None, region: str | None = None) -> str | None:
    """Returns ``raw`` as an E.164 number, or None when it is not a possible phone number.

    Args:
        raw: what the caller typed or the provider sent, e.g. ``+1 816 555 0123``.
        region: a two-letter region used when ``raw`` has no leading ``+``.
    """
    if not raw:
        return None
    raw = raw.strip()
    if raw.lower().startswith(WHATSAPP_PREFIX):
        raw = raw[len(WHATSAPP_PREFIX):]
    if len(raw) > 32:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask(address: str | None) -> str:
    """Masks a phone number for logs: ``+18165554567`` becomes ``+1******4567``."""
    if not address:
        return "?"
    if address.startswith("telegram:"):
        return "telegram:***" + address[-3:]
    if len(address) <= 6:
        return "*" * len(address)
    head = 2 if address.startswith("+") else 1
    return address[:head] + "*" * (len(address) - head - 4) + address[-4:]
