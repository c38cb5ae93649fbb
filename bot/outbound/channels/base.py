"""What every channel adapter reports: ``Sent``, or a ``SendError`` that says whether to retry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone


class SendError(Exception):
    """A send failed. ``retry`` tells whether trying again may help; ``code`` is the provider's code.

    ``unknown`` means the request may have reached the provider (a read time-out, a dropped
    connection): the text may have gone out, so it must be reconciled, never blindly re-sent.
    ``opt_out`` means the recipient refused this address (Twilio 21610, Telegram's "blocked").
    """

    def __init__(
        self, message: str, retry: bool, code: int | None = None, unknown: bool = False, opt_out: bool = False
    ):
        super().__init__(message)
        self.retry = retry
        self.code = code
        self.unknown = unknown
        self.opt_out = opt_out or code == 21610


@dataclass(frozen=True)
class Sent:
    """What a channel reports after sending."""

    provider_id: str
    status: str


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken as UTC already."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
