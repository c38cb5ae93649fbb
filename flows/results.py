"""What a flow returns: the new state, replies (message keys, not text) and effects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

# How a text channel writes a question's choices (a button channel shows one button per choice).
MENU = "menu"  # a line each: "1 English"
INLINE = "inline"  # one sentence: "Reply 1 yes, 2 no."
SCALE = "scale"  # the ends only: "Reply 1 (not at all) to 5 (completely)."
CONFIRM = "confirm"  # one phrase to type, said by the Choices' own ``prompt``: "To confirm, reply FORGET YES."

# A conversation state as it is kept between messages: a JSON object (``conversation.state``). Its values
# come from outside, so it is typed loosely here; each flow reads it through its own ``TypedDict``.
StateDict = Mapping[str, Any]


@dataclass(frozen=True)
class Choice:
    """One fixed answer to a question.

    Attributes:
        value: what the learner types, taps or keys; a tap or a key press reaches the flow as this
            text, exactly as if it had been typed.
        label: a message key (translated), or the label itself when ``literal`` is True (a
            language's own name, a circle's name); None for a middle point of a scale.
        literal: True when ``label`` is shown as it is.
    """

    value: str
    label: str | None = None
    literal: bool = False


@dataclass(frozen=True)
class Choices:
    """The fixed answers of a question and the way a text channel writes them (``MENU``…).

    ``prompt`` is a message key a text channel shows instead of the one the style makes. ``topic`` names
    the question (``flows.asked``): a button channel sends it back with the tapped value.
    """

    items: tuple[Choice, ...]
    style: str = INLINE
    prompt: str | None = None
    topic: str | None = None

    @property
    def digits(self) -> bool:
        """True when every answer can be keyed on a phone's keypad."""
        return all(choice.value.isdigit() for choice in self.items)


@dataclass(frozen=True)
class Quote:
    """Someone's own words inside a text (a relay, a broadcast). A channel with a size limit
    shortens them, never the rest of the text."""

    text: str


@dataclass(frozen=True)
class Reply:
    """A reply to the sender: a message key, its parameters and its choices, rendered at the edge."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    choices: Choices | None = None


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


@dataclass(frozen=True)
class CircleLine:
    """One circle in a list reply (FIND, CIRCLES); rendered as ``CODE: name, venue, when``."""

    code: str
    name: str
    venue: str
    when: When | None
    joined: bool = False  # the reader is already in it (FIND says so rather than offering it again)
    ended: bool = False  # no meeting ahead and the circle has met: "ended", not "to be announced"


@dataclass(frozen=True)
class RecordAnswer:
    """Store an answer to a check-in or survey question (None when skipped)."""

    subject: str
    circle_code: str
    question_key: str
    value: str | None


@dataclass(frozen=True)
class RelayToFacilitator:
    """Pass the learner's words (or "I'm stuck") to their circle's facilitator, number hidden."""

    circle_code: str
    text: str
    stuck_after_meeting: int | None = None


@dataclass(frozen=True)
class RelayToLearner:
    """Pass the facilitator's words to the learner behind handle ``#number``."""

    number: int
    text: str


@dataclass(frozen=True)
class Broadcast:
    """Send the facilitator's words to every active learner of a circle, through the outbox."""

    circle_code: str
    text: str


@dataclass(frozen=True)
class ChangeMeeting:
    """Cancel a meeting, or move it to ``to`` (UTC), as the facilitator asked."""

    circle_code: str
    meeting_id: int
    to: datetime | None = None


@dataclass(frozen=True)
class Leave:
    """Leave a circle."""

    circle_code: str


@dataclass(frozen=True)
class RecordAttendance:
    """Mark learners present in person at a meeting (the facilitator's HERE)."""

    meeting_id: int
    contact_ids: tuple[int, ...]


@dataclass(frozen=True)
class AddLandline:
    """Add a learner reached only by phone calls to a circle (the facilitator's ADD)."""

    circle_code: str
    phone: str
    name: str


@dataclass(frozen=True)
class RequestCall:
    """Call the sender when the circle's meeting starts, to put them into the conference (CALL ME)."""

    circle_code: str


@dataclass(frozen=True)
class Erase:
    """Erase everything personal about the sender (FORGET YES)."""


@dataclass(frozen=True)
class IssueLinkCode:
    """Keep ``code`` (for 10 minutes) so that another address of the sender can say it."""

    code: str


@dataclass(frozen=True)
class LinkAddress:
    """Join the address this came from to the contact who asked for ``code``."""

    code: str


@dataclass(frozen=True)
class SetPreferred:
    """Scheduled messages go to the sender's address on ``channel``."""

    channel: str


Effect = (
    AddLandline
    | RequestCall
    | RecordAttendance
    | RecordAnswer
    | RelayToFacilitator
    | RelayToLearner
    | Broadcast
    | ChangeMeeting
    | Leave
    | Erase
    | RecordRsvp
    | Enroll
    | SetName
    | SetLanguage
    | RecordConsent
    | OptOut
    | OptIn
    | IssueLinkCode
    | LinkAddress
    | SetPreferred
)


@dataclass(frozen=True)
class Result:
    """The outcome of one inbound message.

    Attributes:
        state: the conversation state to keep, or None to close the conversation.
        replies: what to answer, in order.
        effects: what the service must apply, in order.
        language: the language to render the replies in; None means the sender's own.
    """

    state: StateDict | None
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    language: str | None = None
