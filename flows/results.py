"""What a flow returns: the new state, replies (message keys, not text) and effects."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping


@dataclass(frozen=True)
class Reply:
    """A reply to the sender: a message key and its parameters, rendered at the edge."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class When:
    """A moment to show the reader in a time zone: rendered with Babel in their locale."""

    at: datetime
    timezone: str


@dataclass(frozen=True)
class Enroll:
    """Enroll the sender in a circle, on the waitlist when ``waitlist`` is True."""

    code: str
    waitlist: bool


@dataclass(frozen=True)
class SetName:
    """Store the sender's first name."""

    name: str


@dataclass(frozen=True)
class SetLanguage:
    """Store the sender's language."""

    language: str


@dataclass(frozen=True)
class RecordConsent:
    """Record that the sender agreed to get texts, now, on the inbound channel."""


@dataclass(frozen=True)
class OptOut:
    """The sender asked to stop every message."""


@dataclass(frozen=True)
class OptIn:
    """The sender asked to get messages again."""


@dataclass(frozen=True)
class RecordRsvp:
    """Store (or change) the sender's answer for one meeting."""

    meeting_id: int
    answer: str  # "yes" | "no"


Effect = RecordRsvp | Enroll | SetName | SetLanguage | RecordConsent | OptOut | OptIn


@dataclass(frozen=True)
class Result:
    """The outcome of one inbound message.

    Attributes:
        state: the conversation state to keep, or None to close the conversation.
        replies: what to answer, in order.
        effects: what the service must apply, in order.
        language: the language to render the replies in; None means the sender's own.
    """

    state: Mapping[str, Any] | None
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    language: str | None = None
