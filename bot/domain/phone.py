"""Phone numbers: parsing to E.164 with ``phonenumbers``, and masking for logs."""

from __future__ import annotations

import functools

import phonenumbers

WHATSAPP_PREFIX = "whatsapp:"
DEFAULT_REGION = "US"


class PhoneError(ValueError):
    """A phone number a person typed that cannot be used; the message says why, in plain words."""


def to_e164(raw: str | None, region: str | None = None) -> str | None:
    """Returns ``raw`` as an E.164 number, or None when it is not a possible phone number.

    Args:
        raw: what the caller typed or the provider sent, e.g. ``+1 816 555 0123``.
        region: a two-letter region used when ``raw`` has no leading ``+``.
    """
    if not raw:
        return None
    return _e164(raw, region)


@functools.lru_cache(maxsize=8192)
def _e164(raw: str, region: str | None) -> str | None:
    """``to_e164``'s work, kept per (number, region): the same people text again and again (issue 31)."""
    raw = raw.strip()
    if raw.lower().startswith(WHATSAPP_PREFIX):
        raw = raw[len(WHATSAPP_PREFIX) :]
    if len(raw) > 32:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse(raw: str | None, region: str = DEFAULT_REGION) -> str:
    """Returns a number a person typed as E.164, or raises PhoneError with a plain-words reason.

    Args:
        raw: the number as typed: ``(816) 555-0199``, ``816-555-0199`` or ``+44 20 7946 0958``.
        region: the two-letter region for numbers typed without a ``+`` and country code.
    """
    text = (raw or "").strip()
    example = phonenumbers.example_number(region.upper())
    hint = (
        f"type it as you would dial it locally, e.g. "
        f"{phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)}, "
        "or with + and the country code"
        if example
        else "type it with + and the country code"
    )
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException as exc:
        why = {
            exc.TOO_LONG: " (too many digits)",
            exc.TOO_SHORT_NSN: " (too few digits)",
            exc.TOO_SHORT_AFTER_IDD: " (too few digits)",
        }.get(exc.error_type, "")
        raise PhoneError(f"{text!r} is not a phone number{why}: {hint}") from exc
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.TOO_SHORT:
        raise PhoneError(f"{text!r} is not a phone number (too few digits): {hint}")
    if reason in (phonenumbers.ValidationResult.TOO_LONG, phonenumbers.ValidationResult.INVALID_LENGTH):
        raise PhoneError(f"{text!r} is not a phone number (too many digits): {hint}")
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        raise PhoneError(f"{text!r} needs its area code: {hint}")
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise PhoneError(f"{text!r} is not a phone number: {hint}")
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


@functools.lru_cache(maxsize=64)  # the bot's own numbers, shown on every inbound text's context: parsed once
def display(number: str) -> str:
    """An E.164 number as people write it at home: ``(816) 555-0100``, or international abroad."""
    parsed = phonenumbers.parse(number, None)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(parsed) == DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)
