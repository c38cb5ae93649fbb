"""Applying a flow's effects inside the inbound message's transaction.

Each ``apply_*`` takes the session and plain values, changes rows, and returns the outbox rows it
created (as ``Planned``) so that the service queues them after the commit.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot import erase, i18n, meetings, outbox, reminders, segments
from bot.models import (
    Answer, Circle, Contact, Enrollment, Facilitator, Meeting, Message, Outbox, RelayHandle, Rsvp,
)
from bot.audience import active_learners
from bot.reminders import Planned, insert_new
from bot.texts import RELAY_TEXT_MAX
from flows import keys
from flows.results import (
    Broadcast, ChangeMeeting, Enroll, Erase, Leave, OptIn, OptOut, RecordAnswer, RecordConsent, RecordRsvp,
    RelayToFacilitator, RelayToLearner, Reply, SetLanguage, SetName,
)
MAX_SEGMENTS = 3


class Applier:
    """Applies the effects of one inbound message for one contact."""

    def __init__(self, session: Session, settings, contact: Contact | None, message: Message, now: datetime):
        self.session, self.settings, self.contact, self.message, self.now = session, settings, contact, message, now
        self.planned: list[Planned] = []

    def apply(self, effects) -> list[Planned]:
        """Applies every effect in order; returns the outbox rows to queue."""
        for effect in effects:
            handler = getattr(self, "_" + type(effect).__name__)
            handler(effect)
        self.session.flush()
        return self.planned

    # -- the sender themselves -------------------------------------------------------------------
    def _SetName(self, effect: SetName) -> None:
        self.contact.name = effect.name

    def _SetLanguage(self, effect: SetLanguage) -> None:
        self.contact.language = effect.language

    def _RecordConsent(self, effect: RecordConsent) -> None:
        self.contact.consent_at, self.contact.consent_channel = self.now, self.message.channel

    def _OptOut(self, effect: OptOut) -> None:
        self.contact.opted_out_at = self.now

    def _OptIn(self, effect: OptIn) -> None:
        self.contact.opted_out_at = None

    def _Erase(self, effect: Erase) -> None:
        erase.erase_contact(self.session, self.contact, self.now)
        self.message.address, self.message.body, self.message.contact_id = erase.ERASED, "", None

    # -- circles -----------------------------------------------------------------------------------
    def _Enroll(self, effect: Enroll) -> None:
        circle = self._circle(effect.code)
        enrollment = self.session.scalar(
            select(Enrollment).where(Enrollment.contact_id == self.contact.id, Enrollment.circle_id == circle.id))
        status = "waitlist" if effect.waitlist else "active"
        if enrollment is None:
            enrollment = Enrollment(contact_id=self.contact.id, circle_id=circle.id, status=status,
                                    created_at=self.now)
            self.session.add(enrollment)
        else:
            enrollment.status, enrollment.created_at = status, self.now
        self.session.flush()
        facilitator = circle.facilitator
        if facilitator is not None and facilitator.phone:
            enrolled = self.session.scalar(select(func.count()).select_from(Enrollment).where(
                Enrollment.circle_id == circle.id, Enrollment.status == "active"))
            key = keys.FACILITATOR_WAITLISTED if effect.waitlist else keys.FACILITATOR_JOINED
            body = i18n.render(Reply(key, {"name": self.contact.name or "?", "circle": circle.name,
                                           "enrolled": enrolled, "capacity": circle.capacity}),
                               self._facilitator_language(facilitator, circle))
            self._add(f"joined:{enrollment.id}:{status}", facilitator.phone, body, kind="notice",
                      about=self.contact.id)
        self.session.flush()
        self.planned.extend(reminders.plan(self.session, self.settings, self.now, contact_id=self.contact.id))

    def _Leave(self, effect: Leave) -> None:
        circle = self._circle(effect.circle_code)
        self.session.execute(update(Enrollment).where(
            Enrollment.contact_id == self.contact.id, Enrollment.circle_id == circle.id).values(status="left"))
        meeting_ids = select(Meeting.id).where(Meeting.circle_id == circle.id)
        self.session.execute(update(Outbox).where(
            Outbox.contact_id == self.contact.id, Outbox.meeting_id.in_(meeting_ids),
            Outbox.status == outbox.PENDING).values(status=outbox.CANCELLED, last_error="left the circle"))

    def _RecordRsvp(self, effect: RecordRsvp) -> None:
        rsvp = self.session.scalar(select(Rsvp).where(Rsvp.meeting_id == effect.meeting_id,
                                                      Rsvp.contact_id == self.contact.id))
        if rsvp is None:
            self.session.add(Rsvp(meeting_id=effect.meeting_id, contact_id=self.contact.id, answer=effect.answer,
                                  created_at=self.now, updated_at=self.now))
        else:
            rsvp.answer, rsvp.updated_at = effect.answer, self.now

    def _RecordAnswer(self, effect: RecordAnswer) -> None:
        circle = self._circle(effect.circle_code)
        answer = self.session.scalar(select(Answer).where(Answer.subject == effect.subject,
                                                          Answer.question_key == effect.question_key))
        if answer is None:
            self.session.add(Answer(subject=effect.subject, circle_id=circle.id, question_key=effect.question_key,
                                    value=effect.value, created_at=self.now, updated_at=self.now))
        else:
            answer.value, answer.updated_at = effect.value, self.now

    # -- the relay and the facilitator's commands ----------------------------------------------------
    def _RelayToFacilitator(self, effect: RelayToFacilitator) -> None:
        circle = self._circle(effect.circle_code)
        facilitator = circle.facilitator
        if facilitator is None or not facilitator.phone:
            return
        number = handle_for(self.session, facilitator.id, self.contact.id, self.now)
        lang = self._facilitator_language(facilitator, circle)
        params = {"name": self.contact.name or "?", "number": number, "circle": circle.name}
        if effect.stuck_after_meeting is not None:
            body = i18n.render(Reply(keys.RELAY_STUCK, {**params, "seq": effect.stuck_after_meeting}), lang)
        else:
            body = fit_text(keys.RELAY_TO_FACILITATOR, params, effect.text, lang)
        self._add(f"relay:{self.message.id}", facilitator.phone, body, kind="relay", about=self.contact.id)

    def _RelayToLearner(self, effect: RelayToLearner) -> None:
        facilitator = self.session.scalar(select(Facilitator).where(Facilitator.phone == self.contact.phone))
        row = self.session.execute(
            select(Contact, Circle).join(RelayHandle, RelayHandle.contact_id == Contact.id)
            .join(Enrollment, Enrollment.contact_id == Contact.id).join(Circle, Circle.id == Enrollment.circle_id)
            .where(RelayHandle.facilitator_id == facilitator.id, RelayHandle.number == effect.number,
                   Circle.facilitator_id == facilitator.id, Enrollment.status.in_(("active", "waitlist")))
        ).first()
        if row is None or row.Contact.phone is None:
            return
        learner, circle = row
        body = fit_text(keys.RELAY_TO_LEARNER, {"circle": circle.name}, effect.text,
                        learner.language or circle.language)
        self._add(f"relay:{self.message.id}", learner.phone, body, kind="relay", contact_id=learner.id)

    def _Broadcast(self, effect: Broadcast) -> None:
        circle = self._circle(effect.circle_code)
        rows = []
        for _, contact_id, phone, lang in active_learners(self.session, circle.id):
            body = fit_text(keys.FAC_BROADCAST, {"circle": circle.name}, effect.text, lang or circle.language)
            rows.append({"dedupe_key": f"msg:{self.message.id}:{contact_id}", "kind": "broadcast", "channel": "sms",
                         "address": phone, "body": body, "send_after": self.now, "status": outbox.PENDING,
                         "attempts": 0, "contact_id": contact_id, "created_at": self.now})
        self.planned.extend(insert_new(self.session, rows))

    def _ChangeMeeting(self, effect: ChangeMeeting) -> None:
        circle = self._circle(effect.circle_code)
        meeting = self.session.get(Meeting, effect.meeting_id)
        if meeting is None or meeting.circle_id != circle.id:
            return
        if effect.to is None:
            self.planned.extend(meetings.cancel(self.session, self.settings, circle, meeting.seq, self.now))
        else:
            self.planned.extend(meetings.move(self.session, self.settings, circle, meeting.seq, effect.to, self.now))

    # -- helpers -------------------------------------------------------------------------------------
    def _circle(self, code: str) -> Circle:
        return self.session.scalar(select(Circle).where(Circle.code == code))

    def _facilitator_language(self, facilitator: Facilitator, circle: Circle) -> str:
        language = self.session.scalar(select(Contact.language).where(Contact.phone == facilitator.phone))
        return language or circle.language

    def _add(self, key: str, address: str, body: str, kind: str, contact_id: int | None = None,
             about: int | None = None) -> None:
        row = outbox.add(self.session, key, "sms", address, body, self.now, self.now)
        if row is not None:
            row.kind, row.contact_id, row.about_contact_id = kind, contact_id, about
            self.planned.append(Planned(row.id, self.now))


def handle_for(session: Session, facilitator_id: int, contact_id: int, now: datetime) -> int:
    """The learner's ``#N`` for this facilitator, made on first use (1, 2, 3… per facilitator)."""
    existing = session.scalar(select(RelayHandle.number).where(RelayHandle.facilitator_id == facilitator_id,
                                                               RelayHandle.contact_id == contact_id))
    if existing is not None:
        return existing
    highest = session.scalar(select(func.max(RelayHandle.number)).where(RelayHandle.facilitator_id == facilitator_id))
    number = (highest or 0) + 1
    session.add(RelayHandle(facilitator_id=facilitator_id, contact_id=contact_id, number=number, created_at=now))
    session.flush()
    return number


def fit_text(key: str, params: dict, text: str, lang: str | None) -> str:
    """Renders ``key`` with someone's ``text``, shortened with "..." until it fits in 3 segments."""
    original = " ".join((text or "").split())
    cut = min(len(original), RELAY_TEXT_MAX)
    shown = original[:cut] + ("..." if cut < len(original) else "")
    body = i18n.render(Reply(key, {**params, "text": shown}), lang)
    while segments.count(body).segments > MAX_SEGMENTS and cut > 10:
        cut = max(10, cut - 20)
        body = i18n.render(Reply(key, {**params, "text": original[:cut].rstrip() + "..."}), lang)
    return body
