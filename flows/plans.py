"""What the planners read and what they decide, as plain frozen values (no ORM rows, no sessions).

The loaders in ``bot/domain/planning/`` fill these from the database; ``bench/circle.py`` fills them from
memory. ``flows.planner`` turns them into ``PlannedMessage`` values, which the caller writes to the
outbox (``bot.domain.outbox.row``) or, in the bench, to a dict keyed by ``key``: each key goes out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flows.results import Reply, StateDict

CANCELLED = "cancelled"


@dataclass(frozen=True)
class To:
    """One address of a contact: where a message goes, and whether that address said STOP.

    ``language`` and ``timezone`` are the contact's own (None when unknown); the planner falls back
    to the circle's.
    """

    contact_id: int
    address_id: int | None
    channel: str
    address: str
    language: str | None = None
    timezone: str | None = None
    opted_out: bool = False

    def within(self, language: str | None, timezone: str | None) -> "To":
        """This address with the circle's language and time zone where the contact has none."""
        if (self.language or not language) and (self.timezone or not timezone):
            return self
        return To(
            self.contact_id,
            self.address_id,
            self.channel,
            self.address,
            self.language or language,
            self.timezone or timezone,
            self.opted_out,
        )


@dataclass(frozen=True)
class Learner:
    """An active (or, for offers, waitlisted) learner: their enrollment and preferred address.

    ``joined_at`` is when they joined the circle (or took a place in it, or came back after leaving):
    a meeting that was over by then is not theirs (``in_time_for``). None: not known, every meeting is.
    """

    enrollment_id: int
    to: To
    name: str | None = None
    joined_at: datetime | None = None

    def in_time_for(self, meeting: "Meeting") -> bool:
        """True when they were in the circle before ``meeting`` ended: it is one of theirs, so a check-in,
        a "we miss you" or a "no reply" may be about it. Someone who joins while a meeting is on is
        most likely in the room (signing up at the meeting), so that meeting counts."""
        return in_time(self.joined_at, meeting)


def in_time(joined_at: datetime | None, meeting: "Meeting") -> bool:
    """True when someone who joined at ``joined_at`` (None: unknown) was in the circle before ``meeting``
    ended (its start when its end is unknown): the one rule of whose a meeting is."""
    return joined_at is None or joined_at < (meeting.ends_at or meeting.starts_at)


@dataclass(frozen=True)
class Meeting:
    """One meeting of a circle: ``seq`` is 1-based, ``starts_at`` and ``ends_at`` are UTC (no end: its start)."""

    id: int
    seq: int
    starts_at: datetime
    status: str = "scheduled"  # "scheduled" | "moved" | "cancelled"
    ends_at: datetime | None = None

    @property
    def held(self) -> bool:
        """False for a cancelled meeting."""
        return self.status != CANCELLED


@dataclass(frozen=True)
class Circle:
    """A circle as the planners see it: its meetings in ``seq`` order and its facilitator's address."""

    id: int
    code: str
    name: str
    venue: str
    timezone: str
    language: str
    meetings: tuple[Meeting, ...] = ()
    facilitator_id: int | None = None
    facilitator: To | None = None
    capacity: int = 12


@dataclass(frozen=True)
class History:
    """What already happened in a circle, as ``(meeting_id, contact_id)`` pairs.

    Attributes:
        yes: RSVP'd yes.
        attended: came, by phone or in person.
        checked_in: had a check-in planned (any status): their later "1" or "2" is not thanked again.
        held: the meetings whose conference call was held (issue 26): who came is known, so a "yes"
            without coming is not being there.
    """

    yes: frozenset[tuple[int, int]] = frozenset()
    attended: frozenset[tuple[int, int]] = frozenset()
    checked_in: frozenset[tuple[int, int]] = frozenset()
    held: frozenset[int] = frozenset()

    def there(self, meeting_id: int, contact_id: int) -> bool:
        """True when the learner came, or (for a meeting not held by phone) said they would."""
        pair = (meeting_id, contact_id)
        return pair in self.attended or (meeting_id not in self.held and pair in self.yes)


@dataclass(frozen=True)
class OpenSurvey:
    """A survey conversation that is open for a contact (its state, as the send job opened it)."""

    to: To
    state: StateDict
    expires_at: datetime


@dataclass(frozen=True)
class PlannedMessage:
    """One message to write to the outbox under ``key`` (written once, whatever the tick).

    Attributes:
        key: the outbox's dedupe key.
        kind: ``reminder``, ``tally``, ``checkin``, ``missyou``, ``survey`` or ``offer``.
        to: where it goes, with the language and time zone to use.
        replies: what it says (message keys and parameters; a tally's counts are taken at send time).
        send_after: not before this moment (UTC).
        meeting_id: the meeting it is about, if any.
        conversation: the conversation state to open when it is sent (a question's), if any.
    """

    key: str
    kind: str
    to: To
    replies: tuple[Reply, ...] = ()
    send_after: datetime | None = None
    meeting_id: int | None = None
    conversation: StateDict | None = None
