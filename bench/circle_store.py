"""The in-memory stand-in for the database that ``bench/circle.py`` drives the pure flows against.

It keeps what the service and the send job keep (contacts, their open conversation and the reminder a
short reply answers, enrollments, RSVPs, attendance, answers, the outbox by dedupe key), applies a
flow's effects the way ``bot.inbound.effects.Applier`` does, and builds each flow's ``Context`` the way
``bot.inbound.load.lock_and_load`` does. No Flask, no database, no Redis, no clock: the time is always a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flows import keys
from flows.context import CircleView, ContactView, Context, EnrollmentView, PendingRsvp
from flows.plans import Circle, History, Learner, OpenSurvey, PlannedMessage, To
from flows.results import (
    Enroll,
    Leave,
    OptIn,
    OptOut,
    Quote,
    RecordAnswer,
    RecordConsent,
    RecordRsvp,
    RelayToFacilitator,
    Reply,
    Result,
    SetLanguage,
    SetName,
)

CONVERSATION_TTL = timedelta(hours=24)  # bot.inbound.service: a state without its own expiry
# bot.outbound.sent_questions: an open question a new one may replace
REPLACEABLE_FLOWS = frozenset({"checkin", "offer"})
PENDING, SENT, CANCELLED = "pending", "sent", "cancelled"


@dataclass
class Person:
    """A contact with one SMS address (its id is the contact id)."""

    contact_id: int
    phone: str
    name: str | None = None
    language: str | None = None
    opted_out: bool = False
    consented: bool = False
    enrollment_id: int | None = None
    status: str | None = None  # "active" | "waitlist" | "left"
    state: dict | None = None
    state_expires: datetime | None = None
    state_updated: datetime | None = None
    pending: tuple[int, datetime] | None = None  # (meeting id, sent at) of the last reminder delivered
    handle: int | None = None  # their #N with the facilitator, made on the first relay
    stopped_at: datetime | None = None

    @property
    def to(self) -> To:
        return To(self.contact_id, self.contact_id, "sms", self.phone, self.language, None, self.opted_out)


@dataclass
class Row:
    """One outbox row: the planned message, and what became of it."""

    message: PlannedMessage
    planned_at: datetime
    status: str = PENDING
    send_after: datetime | None = None
    text: str | None = None


@dataclass
class Store:
    """One circle, its facilitator, its learners and everything that happens to them."""

    circle: Circle
    ends: dict[int, datetime]  # meeting id → end
    facilitator: Person
    people: dict[str, Person] = field(default_factory=dict)  # by phone
    rsvps: dict[tuple[int, int], str] = field(default_factory=dict)  # (meeting, contact) → "yes" | "no"
    attended: set[tuple[int, int]] = field(default_factory=set)
    answers: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (subject, question key) → value
    outbox: dict[str, Row] = field(default_factory=dict)
    checked_in: set[tuple[int, int]] = field(default_factory=set)  # (meeting, contact) with a check-in row
    live_reminders: dict[int, set[int]] = field(default_factory=dict)  # meeting → contacts with a live reminder
    _enrollments: int = 0
    _handles: int = 0

    # -- what the flows see ----------------------------------------------------------------------
    def person(self, phone: str) -> Person:
        """The sender behind ``phone``, made on their first text."""
        if phone not in self.people:
            self.people[phone] = Person(contact_id=len(self.people) + 2, phone=phone)  # 1 is the facilitator
        return self.people[phone]

    def learners(self) -> list[Person]:
        return [p for p in self.people.values() if p.status == "active"]

    def view(self, now: datetime) -> CircleView:
        c = self.circle
        upcoming = [m.starts_at for m in c.meetings if m.held and m.starts_at > now]
        return CircleView(
            c.code,
            c.name,
            c.venue,
            c.timezone,
            c.language,
            c.capacity,
            len(self.learners()),
            min(upcoming) if upcoming else None,
            facilitator_reachable=not self.facilitator.opted_out,
        )

    def context(self, person: Person, now: datetime) -> tuple[dict | None, Context]:
        """The sender's open conversation (None once it expired) and their flow context, as the service builds it."""
        if person.state is not None and person.state_expires <= now:
            person.state = None
        circle = self.view(now)
        enrollments = (EnrollmentView(circle, person.status),) if person.status else ()
        contact = ContactView(person.name, person.language, person.opted_out, enrollments)
        pending = None
        if person.pending is not None:
            meeting_id, sent_at = person.pending
            meeting = next(m for m in self.circle.meetings if m.id == meeting_id)
            newer = person.state is None or person.state_updated <= sent_at
            if meeting.held and self.ends[meeting_id] > now and newer:
                pending = PendingRsvp(meeting_id, circle, meeting.starts_at)
        return person.state, Context(now=now, contact=contact, circles={circle.code: circle}, pending_rsvp=pending)

    # -- what the service does with a flow's result ------------------------------------------------
    def apply(self, person: Person, result: Result, now: datetime) -> None:
        """Applies the effects, then keeps (or closes) the conversation."""
        for effect in result.effects:
            getattr(self, "_" + type(effect).__name__)(person, effect, now)
        if result.state is None:
            person.state = None
            return
        person.state = dict(result.state)
        expires = result.state.get("expires")
        person.state_expires = datetime.fromisoformat(expires) if expires else now + CONVERSATION_TTL
        person.state_updated = now

    def _SetName(self, person: Person, effect: SetName, now: datetime) -> None:
        person.name = effect.name

    def _SetLanguage(self, person: Person, effect: SetLanguage, now: datetime) -> None:
        person.language = effect.language

    def _RecordConsent(self, person: Person, effect: RecordConsent, now: datetime) -> None:
        person.consented = True

    def _OptOut(self, person: Person, effect: OptOut, now: datetime) -> None:
        person.opted_out, person.stopped_at = True, now

    def _OptIn(self, person: Person, effect: OptIn, now: datetime) -> None:
        person.opted_out = False

    def _Enroll(self, person: Person, effect: Enroll, now: datetime) -> None:
        if person.enrollment_id is None:
            self._enrollments += 1
            person.enrollment_id = self._enrollments
        person.status = "waitlist" if effect.waitlist else "active"
        said = Reply(
            keys.FACILITATOR_JOINED,
            {
                "name": person.name or "?",
                "circle": self.circle.name,
                "enrolled": len(self.learners()),
                "capacity": self.circle.capacity,
            },
        )
        self.add(
            PlannedMessage(
                f"joined:{person.enrollment_id}:{person.status}", "notice", self.facilitator.to, (said,), now
            ),
            now,
        )

    def _Leave(self, person: Person, effect: Leave, now: datetime) -> None:
        person.status = "left"

    def _RecordRsvp(self, person: Person, effect: RecordRsvp, now: datetime) -> None:
        self.rsvps[(effect.meeting_id, person.contact_id)] = effect.answer

    def _RecordAnswer(self, person: Person, effect: RecordAnswer, now: datetime) -> None:
        self.answers[(effect.subject, effect.question_key)] = effect.value

    def _RelayToFacilitator(self, person: Person, effect: RelayToFacilitator, now: datetime) -> None:
        if person.handle is None:
            self._handles += 1
            person.handle = self._handles
        params = {"name": person.name or "?", "number": person.handle, "circle": self.circle.name}
        if effect.stuck_after_meeting is not None:
            said = Reply(keys.RELAY_STUCK, {**params, "seq": effect.stuck_after_meeting})
        else:
            said = Reply(keys.RELAY_TO_FACILITATOR, {**params, "text": Quote(effect.text)})
        self.add(
            PlannedMessage(
                f"relay:{person.contact_id}:{now:%Y%m%dT%H%M%S%f}", "relay", self.facilitator.to, (said,), now
            ),
            now,
        )

    # -- the outbox -------------------------------------------------------------------------------
    def add(self, message: PlannedMessage, now: datetime) -> bool:
        """Writes ``message`` unless its key is there already (``INSERT … ON CONFLICT DO NOTHING``)."""
        if message.key in self.outbox:
            return False
        self.outbox[message.key] = Row(message, now, send_after=message.send_after or now)
        if message.kind == "checkin":
            self.checked_in.add((message.meeting_id, message.to.contact_id))
        elif message.kind == "reminder":
            self.live_reminders.setdefault(message.meeting_id, set()).add(message.to.contact_id)
        return True

    def cancel(self, row: Row) -> None:
        """The send job refused the row (STOP, a meeting gone by): it is no longer a live reminder."""
        row.status = CANCELLED
        if row.message.kind == "reminder":
            self.live_reminders.get(row.message.meeting_id, set()).discard(row.message.to.contact_id)

    def planner_inputs(self) -> tuple[Circle, list[Learner], History, list[OpenSurvey]]:
        """What ``bot.domain.planning`` loads from the database, read from memory (reachable learners only)."""
        learners = [Learner(p.enrollment_id, p.to, p.name) for p in self.learners()]
        checked_in = frozenset(self.checked_in)
        yes = frozenset(pair for pair, answer in self.rsvps.items() if answer == "yes")
        history = History(yes=yes, attended=frozenset(self.attended), checked_in=checked_in)
        open_surveys = [
            OpenSurvey(p.to, p.state, p.state_expires)
            for p in (*self.people.values(), self.facilitator)
            if p.state is not None and p.state.get("flow") == "survey"
        ]
        return self.circle, learners, history, open_surveys

    def reminded(self, meeting_id: int) -> frozenset[int]:
        """Contacts with a live reminder row for the meeting (``reminders.plan`` skips them)."""
        return frozenset(self.live_reminders.get(meeting_id, ()))

    def open_conversation(self, person: Person, state: dict, now: datetime) -> None:
        """A sent question becomes the open conversation, as ``bot.outbound.sent_questions.open_conversation`` does."""
        open_now = person.state is not None and person.state_expires > now
        current = person.state or {}
        if (
            open_now
            and state.get("reminded")
            and current.get("flow") == state.get("flow") == "survey"
            and current.get("subject") == state.get("subject")
            and current.get("survey") == state.get("survey")
        ):
            person.state = {**current, "reminded": True}
            return
        if open_now and current.get("flow") not in REPLACEABLE_FLOWS:
            return
        person.state = dict(state)
        expires = state.get("expires")
        person.state_expires = datetime.fromisoformat(expires) if expires else now + timedelta(days=1)
        person.state_updated = now
