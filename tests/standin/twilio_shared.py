"""What the Twilio stand-in's APIs share: Twilio's error JSON and messages, its time format, and its date filters."""

from __future__ import annotations

from datetime import date, datetime, timezone
from email.utils import format_datetime

API_VERSION = "2010-04-01"
ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number: {to}",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    63016: "Failed to send freeform message because you are outside the allowed window. "
    "If you are using WhatsApp, please use a Message Template.",
}


def twilio_error(status: int, code: int, message: str) -> dict:
    """The JSON body Twilio answers an API error with."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def rfc2822(moment: datetime) -> str:
    """A UTC time the way Twilio writes it: ``Tue, 04 Mar 2025 17:02:03 +0000``."""
    return format_datetime(moment.astimezone(timezone.utc).replace(microsecond=0))


def parse_when(text: str) -> datetime | date:
    """A date filter value: ``YYYY-MM-DD`` (a date) or an ISO 8601 time such as ``...T12:00:00Z``."""
    text = text.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def matches(sent: datetime, op: str, bound: datetime | date) -> bool:
    """Compares a message's send time with a filter bound, at Twilio's one-second precision."""
    left = sent.date() if isinstance(bound, date) and not isinstance(bound, datetime) else sent.replace(microsecond=0)
    return {">=": left >= bound, "<=": left <= bound, "=": left == bound}[op]
