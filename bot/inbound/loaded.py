"""What the sender's lock-and-load read (``bot.inbound.load``), as Core rows and plain values: no ORM object.

``lock_and_load`` returns a ``Found``; the service builds the flows' context from its ``Loaded``, and the
effects reuse its rows (the circle's, the facilitator's address, the sender's relay handle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from bot.domain.outbox import Recipient
from flows.context import CircleView, ContactView, PendingRsvp


@dataclass
class Stored:
    """An inbound row already there for this provider id."""

    status: str
    replies: object


class SenderRow(NamedTuple):
    """The sender's contact row (Core, not an ORM object)."""

    id: int
    name: str | None
    language: str | None
    version: int


class AddressRow(NamedTuple):
    """The address the message came from (Core, not an ORM object)."""

    id: int
    opted_out_at: datetime | None
    unreachable_at: datetime | None
    username: str | None


class ConversationRow(NamedTuple):
    """The sender's conversation row, open or lapsed (Core)."""

    id: int
    flow: str
    state: dict
    expires_at: datetime
    updated_at: datetime


class CircleRow(NamedTuple):
    """A circle's row as the inbound path uses it (Core): what ``circle_view`` and the relay read."""

    id: int
    code: str
    name: str
    venue: str
    timezone: str
    language: str
    capacity: int
    phone_code: str
    facilitator_id: int | None


@dataclass
class Loaded:
    """What ``load`` read: the flow context's parts and what the effects reuse."""

    conversation: ConversationRow | None = None
    facilitator_id: int | None = None
    contact_view: ContactView = field(default_factory=ContactView)
    circles: dict[str, CircleView] = field(default_factory=dict)
    pending: PendingRsvp | None = None
    pending_sent_at: datetime | None = None
    rows: dict[str, CircleRow] = field(default_factory=dict)  # the circles' rows by code
    facilitator_to: dict[str, Recipient | None] = field(default_factory=dict)  # live address, or None
    facilitator_held: dict[str, Recipient | None] = field(default_factory=dict)  # preferred, even opted out
    handles: dict[str, int] = field(default_factory=dict)  # the sender's #N with each circle's facilitator
    # For the sender's circles where they are #1: whether that facilitator was ever relayed a text (the
    # one-time "how to answer" hint goes with the first one).
    relayed_before: dict[str, bool] = field(default_factory=dict)


@dataclass
class Found:
    """A known sender, locked: their rows, a stored answer to this provider id, and what ``load`` read."""

    contact: SenderRow
    address: AddressRow
    stored: Stored | None
    loaded: Loaded
    stale: bool = False  # the lock was granted after another transaction changed this sender
