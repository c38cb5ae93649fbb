"""Read-only views of what a flow may know about the sender and the circles involved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from flows import languages, standing


@dataclass(frozen=True)
class CircleView:
    """A circle, as a flow sees it."""

    code: str
    name: str
    venue: str
    timezone: str
    language: str
    capacity: int
    enrolled: int
    next_meeting: datetime | None = None
    facilitator_reachable: bool = True
    phone_code: str | None = None  # the digits a caller types on the voice line to join its conference call

    @property
    def full(self) -> bool:
        """True when every place is taken."""
        return self.enrolled >= self.capacity


@dataclass(frozen=True)
class EnrollmentView:
    """One of the sender's enrollments."""

    circle: CircleView
    status: str  # "active" | "waitlist" | "left"
    position: int | None = None  # on the waitlist: 1 is next


@dataclass(frozen=True)
class ContactView:
    """The sender, as a flow sees it. A new sender has every field empty."""

    name: str | None = None
    language: str | None = None
    opted_out: bool = False
    enrollments: tuple[EnrollmentView, ...] = ()

    def enrollment(self, code: str) -> EnrollmentView | None:
        """Returns the sender's current (active or waitlist) enrollment in circle ``code``."""
        for enrollment in self.enrollments:
            if enrollment.circle.code == code and enrollment.status in ("active", "waitlist"):
                return enrollment
        return None

    @property
    def current(self) -> tuple[EnrollmentView, ...]:
        """The enrollments that are active or on the waitlist."""
        return tuple(e for e in self.enrollments if e.status in ("active", "waitlist"))


@dataclass(frozen=True)
class PendingRsvp:
    """The most recent reminder the sender got, when it is newer than any open conversation."""

    meeting_id: int
    circle: CircleView
    starts_at: datetime


@dataclass(frozen=True)
class MeetingView:
    """A meeting, with its RSVP counts, as a facilitator sees it."""

    id: int
    seq: int
    starts_at: datetime
    status: str
    yes: int = 0
    no: int = 0
    none: int = 0


@dataclass(frozen=True)
class LearnerName:
    """An active learner of a facilitator's circle, as HERE matches them: first name and relay number."""

    contact_id: int
    name: str
    handle: int | None = None


@dataclass(frozen=True)
class FacilitatedCircle:
    """One of the facilitator's circles, its meetings in order, and its active learners."""

    circle: CircleView
    meetings: tuple[MeetingView, ...] = ()
    learners: tuple[LearnerName, ...] = ()

    def next_meeting(self, now: datetime) -> MeetingView | None:
        """The first meeting that has not started and is not cancelled."""
        return next((m for m in self.meetings if m.starts_at > now and m.status != "cancelled"), None)

    def ended(self, now: datetime) -> bool:
        """True when the circle had meetings and none is ahead (``flows.standing``)."""
        return standing.ended(self.meetings, now)

    def last_meeting(self, now: datetime) -> MeetingView | None:
        """The most recent meeting that has started and was not cancelled."""
        past = [m for m in self.meetings if m.starts_at <= now and m.status != "cancelled"]
        return past[-1] if past else None


@dataclass(frozen=True)
class FacilitatorView:
    """The sender, when their number is a facilitator's."""

    id: int
    circles: tuple[FacilitatedCircle, ...] = ()
    handles: frozenset[int] = frozenset()

    def circle(self, code: str) -> FacilitatedCircle | None:
        """One of their own circles by code; None for anyone else's."""
        return next((c for c in self.circles if c.circle.code == code), None)


@dataclass(frozen=True)
class LinkView:
    """LINK: a fresh code to hand out, and what a lone 6-digit text from the sender would be.

    Attributes:
        new_code: a random 6-digit code, used if the sender asks for one now (flows draw no random).
        attempt: for a lone 6-digit text, ``match`` (a live code of another contact), ``wrong``,
            ``locked`` (too many wrong tries lately) or ``busy`` (this address's own contact is in a
            circle already, so it cannot join another person); None for any other text.
        channels: on a match, this address's channel then the code owner's preferred one.
    """

    new_code: str
    attempt: str | None = None
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """Everything a flow reads besides its state and the inbound message.

    Attributes:
        now: the current time in UTC (flows never read a clock).
        contact: the sender.
        circles: the circles whose codes appear in the message or the state, by code.
        default_language: the language used when nothing else decides.
        languages: the shipped languages, in menu order.
        pending_rsvp: the reminder a short reply such as ``1`` or ``NO`` answers, if any.
        facilitator: the sender's facilitator view when their number is a facilitator's.
        found: open circles matching a FIND query (at most three, nearest first).
        link: LINK's code and the check of a code the sender typed (``LinkView``).
        dial_in: the voice line's number as learners write it (the number they text), None when there is none.
    """

    now: datetime
    contact: ContactView = field(default_factory=ContactView)
    circles: Mapping[str, CircleView] = field(default_factory=dict)
    default_language: str = "en"
    languages: tuple[str, ...] = languages.SHIPPED
    pending_rsvp: PendingRsvp | None = None
    facilitator: FacilitatorView | None = None
    found: tuple[CircleView, ...] = ()
    link: LinkView | None = None
    dial_in: str | None = None
